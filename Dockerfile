# The usersvc image: compiled on node:24, run on distroless Node.js 24 as uid 65532 with production dependencies only.
# Build:  docker build -t usersvc:local .
# Serve:  docker run --rm -p 8080:8080 -e POSTGRES_HOST=... usersvc:local
# Migrate (the Knative Job and the compose `migrate` service use these args): docker run --rm usersvc:local dist/scripts/migrate.js up
# test/deploy/image-entrypoint.test.ts parses this file and runs its CMD from a reproduced layout; keep the stage names.

# --- build: all dependencies, TypeScript compiled to dist/ and the entrypoint bundled by esbuild over
#     dist/functions/main.js (scripts/bundle.ts); bench/ and test/ stay out: the image never runs them ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: tsc needs none, and the one production package that has one (protobufjs) only prints a notice.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY functions ./functions
COPY shared ./shared
COPY scripts ./scripts
RUN npm run build

# --- prod-deps: the production dependency tree alone, installed from the lockfile (no prune step to get wrong) ---
FROM node:24-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- compile-cache: V8's code for the bundle, made by the runtime image's own node, as uid 65532, at the runtime's
#     paths (Node keys its compile cache by node version, uid, file path and content), so a cold start reads compiled
#     code instead of compiling 1.2 MB (bench/README.md, "Cold start"). Exec-form RUN: this image has no shell. ---
FROM gcr.io/distroless/nodejs24-debian12:nonroot AS compile-cache
WORKDIR /app
ENV NODE_ENV=production NODE_OPTIONS=--max-semi-space-size=16 NODE_COMPILE_CACHE=/tmp/node-compile-cache
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN ["/nodejs/bin/node", "dist/scripts/compile-cache.js"]

# --- runtime: no shell, no npm, no compiler; node is the image's ENTRYPOINT ---
FROM gcr.io/distroless/nodejs24-debian12:nonroot AS runtime
WORKDIR /app
# Node 24's default young generation grows under load until peak RSS nears the pod's memory limit; 16 MB
# semi-spaces keep it well below at the same throughput (bench/README.md, Findings).
# NODE_COMPILE_CACHE: the cache the compile-cache stage filled; read-only here, which Node accepts.
ENV NODE_ENV=production PORT=8080 NODE_OPTIONS=--max-semi-space-size=16 NODE_COMPILE_CACHE=/app/.compile-cache
# Files stay owned by root: uid 65532 can read the app but not change it, even where the root filesystem is writable.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=compile-cache /tmp/node-compile-cache ./.compile-cache
# package.json and migrations/ side by side: the migration runner finds migrations/ by walking up from dist/ to them.
COPY package.json ./
COPY migrations ./migrations
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
EXPOSE 8080
# node runs the entrypoint itself (never `npm start`, which does not pass SIGTERM on): the drain on SIGTERM depends on it.
CMD ["dist/functions/main.js"]
