// The image without Docker: the Dockerfile's invariants, then its exact command line run from a reproduced layout.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import nodeModule from 'node:module';
import path from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { createServiceDatabase, type Backend, type ServiceDatabase } from '../support/database';
import { call } from '../support/http';
import { ROOT } from '../support/service';
import { runContainer, startContainer } from './support/container';
import { commandOf, envOf, findStage, instructionsOf, readDockerfile } from './support/dockerfile';
import { isNodeRunStage, reproduceImageLayout, type ImageLayout } from './support/image-layout';
import { renderKustomization } from './support/kustomize';
import { containersOf, findObject, listAt } from './support/objects';

const dockerfile = readDockerfile(path.join(ROOT, 'Dockerfile'));
const { final } = dockerfile;
const backend: Backend = process.env.DATABASE_URL ? 'postgres' : 'embedded';
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { healthcheck?: { test?: string[] } }>;
};
const composeHealthcheck = compose.services.usersvc?.healthcheck?.test ?? [];
const migrationNames = readdirSync(path.join(ROOT, 'migrations'))
  .filter((file) => file.endsWith('.sql'))
  .map((file) => file.replace(/\.sql$/, ''));

/** The runtime stage's COPY lines: the stage each copies from (none: the build context), sources, destination. */
const runtimeCopies = instructionsOf(final, 'COPY').map((copy) => {
  const parts = copy.args.split(/\s+/);
  return { from: copy.flags.from, sources: parts.slice(0, -1), destination: parts[parts.length - 1] as string };
});

describe('Dockerfile', () => {
  it('builds in node:24 stages and runs on a distroless Node.js 24 image', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages.slice(0, -1)) {
      if (isNodeRunStage(stage, final)) continue; // the compile cache: made on the runtime's own image (below)
      expect(stage.image).toMatch(/^node:24([.-]|$)/);
    }
    const [name, digest] = final.image.split('@');
    expect(name).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+(:nonroot|:latest)?$/);
    if (digest !== undefined) expect(digest).toMatch(/^sha256:[0-9a-f]+$/);
  });

  it('compiles with npm run build after npm ci in the build stage', () => {
    const build = findStage(dockerfile, 'build');
    const runs = instructionsOf(build, 'RUN').map(({ args }) => args);
    const install = runs.findIndex((args) => /^npm ci(\s|$)/.test(args));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(runs.indexOf('npm run build'));
  });

  it('copies into the build stage every source file that the copied sources import', () => {
    const build = findStage(dockerfile, 'build');
    const copied = instructionsOf(build, 'COPY')
      .filter((copy) => !copy.flags.from)
      .flatMap((copy) => copy.args.split(/\s+/).slice(0, -1))
      .map((source) => path.join(ROOT, source));
    const inCopied = (file: string) => copied.some((root) => file === root || file.startsWith(`${root}${path.sep}`));
    const sources = copied
      .filter((root) => statSync(root).isDirectory())
      .flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => path.join(root, f)))
      .filter((file) => file.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const file of sources) {
      for (const [, imported, required] of readFileSync(file, 'utf8').matchAll(
        /from '(\.[^']*)'|require\('(\.[^']*)'\)/g,
      )) {
        const specifier = (imported ?? required) as string;
        const target = path.resolve(path.dirname(file), specifier);
        const found = [`${target}.ts`, path.join(target, 'index.ts'), target].find((c) => existsSync(c));
        if (!found || !inCopied(found)) missing.push(`${path.relative(ROOT, file)} imports ${specifier}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("fills the compile cache on the runtime's own image, as its user, over what the runtime copies, at its paths", () => {
    // Node keys its compile cache by node version, uid, file path and content: any difference and every entry misses.
    const stage = findStage(dockerfile, 'compile-cache');
    expect(isNodeRunStage(stage, final)).toBe(true);
    expect(stage.image).toBe(final.image);
    expect(instructionsOf(stage, 'USER')).toEqual([]); // the image's own user, 65532 in :nonroot, as at run time
    expect(instructionsOf(stage, 'WORKDIR').pop()?.args).toBe(instructionsOf(final, 'WORKDIR').pop()?.args);
    const copies = (of: typeof stage) =>
      instructionsOf(of, 'COPY')
        .filter((copy) => copy.flags.from !== 'compile-cache')
        .map((copy) => `${copy.flags.from ?? ''} ${copy.args}`);
    expect(copies(final)).toEqual(expect.arrayContaining(copies(stage)));
    const stageEnv = envOf(stage);
    expect(stageEnv.NODE_OPTIONS).toBe(envOf(final).NODE_OPTIONS);
    expect(instructionsOf(stage, 'RUN').map(({ exec }) => exec)).toEqual([
      ['/nodejs/bin/node', 'dist/scripts/compile-cache.js'],
    ]);
    const cacheCopy = runtimeCopies.find((copy) => copy.from === 'compile-cache');
    expect(cacheCopy?.sources).toEqual([stageEnv.NODE_COMPILE_CACHE]);
    expect(path.posix.resolve('/app', cacheCopy?.destination ?? '')).toBe(envOf(final).NODE_COMPILE_CACHE);
  });

  it('runs as uid 65532 (nonroot) in the runtime stage', () => {
    const user = instructionsOf(final, 'USER').pop()?.args;
    expect(user).toMatch(/^(65532|nonroot)(:(65532|nonroot))?$/);
  });

  it('starts the compiled entrypoint with node itself, never through npm, ts-node or a shell', () => {
    const command = commandOf(dockerfile);
    expect(command).toEqual(['/nodejs/bin/node', 'dist/functions/main.js']);
    expect(command.join(' ')).not.toMatch(/\bnpm\b|ts-node|\bsh\b/);
  });

  it('runs nothing in the runtime stage and copies node_modules only from a stage that omits dev dependencies', () => {
    expect(instructionsOf(final, 'RUN')).toEqual([]);
    expect(final.instructions.map((instruction) => instruction.args).join('\n')).not.toMatch(/ts-node/);
    const modules = runtimeCopies.filter((copy) => copy.sources.some((source) => /node_modules/.test(source)));
    expect(modules).toHaveLength(1);
    const installs = instructionsOf(findStage(dockerfile, modules[0]?.from as string), 'RUN').map((r) => r.args);
    expect(installs.some((args) => /^npm (ci|prune)\b.*--omit=dev/.test(args))).toBe(true);
  });

  it('copies dist/, the production node_modules, package.json, migrations/ and the compile cache into the runtime image', () => {
    const destinations = runtimeCopies.flatMap((copy) =>
      copy.destination.endsWith('/')
        ? copy.sources.map((source) => path.posix.join(copy.destination, path.posix.basename(source)))
        : [copy.destination],
    );
    expect(destinations.map((destination) => path.posix.normalize(destination)).sort()).toEqual(
      ['.compile-cache', 'dist', 'migrations', 'node_modules', 'package.json'].sort(),
    );
  });

  it('sets NODE_ENV=production and PORT=8080 and exposes 8080', () => {
    expect(envOf(final)).toMatchObject({ NODE_ENV: 'production', PORT: '8080' });
    expect(instructionsOf(final, 'EXPOSE').map(({ args }) => args)).toEqual(['8080']);
  });

  it('keeps tests, VCS data, local builds and data out of the build context, but not what the Dockerfile copies', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['test', '.git', 'node_modules', 'dist', '.data', 'coverage', 'bench/results']),
    );
    const fromContext = dockerfile.stages.flatMap((stage) =>
      instructionsOf(stage, 'COPY')
        .filter((copy) => !copy.flags.from)
        .flatMap((copy) => copy.args.split(/\s+/).slice(0, -1)),
    );
    expect(fromContext.length).toBeGreaterThan(0);
    for (const source of fromContext) {
      expect(ignored).not.toContain(source);
      expect(existsSync(path.join(ROOT, source))).toBe(true);
    }
  });
});

describe(`the image's command, run from a reproduced image layout (${backend})`, () => {
  let layout: ImageLayout;
  let db: ServiceDatabase;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/functions/main.js'))) throw new Error('dist/ is missing: npm run build');
    layout = await reproduceImageLayout(dockerfile, ROOT);
    db = await createServiceDatabase(backend);
  }, 120_000);
  afterAll(async () => {
    layout?.remove();
    await db?.drop();
  });

  const imageEnv = () => ({ ...layout.env, PORT: '0', ...db.env });

  it('holds production dependencies only: no typescript, ts-node or jest, no TypeScript sources', () => {
    const modules = path.join(layout.workdir, 'node_modules');
    expect(existsSync(path.join(modules, 'pg'))).toBe(true);
    expect(existsSync(path.join(modules, '@google-cloud/functions-framework'))).toBe(true);
    for (const dev of ['typescript', 'ts-node', 'jest', 'ts-jest', '.bin/tsc']) {
      expect(existsSync(path.join(modules, dev))).toBe(false);
    }
    expect(readdirSync(layout.workdir).sort()).toEqual([
      '.compile-cache',
      'dist',
      'migrations',
      'node_modules',
      'package.json',
    ]);
    expect(layout.install.command).toEqual(expect.arrayContaining(['ci', '--omit=dev', '--prefer-offline']));
  });

  it('runs the esbuild bundle: the entrypoint is one file that requires none of our other files', () => {
    const entry = readFileSync(path.join(layout.workdir, 'dist/functions/main.js'), 'utf8');
    expect(entry).toContain('// shared/http/pipeline.ts'); // esbuild's marker of a bundled module
    expect(entry).not.toMatch(/require\("\.\.?\//);
    // eslint-disable-next-line no-control-regex
    expect(entry).not.toMatch(/[^\x00-\x7f]/); // ASCII: V8 keeps the source one byte a character
  });

  it('holds a compile cache made by the node that ran the stage (empty on a node without one)', () => {
    const cache = path.join(layout.workdir, '.compile-cache');
    const tags = readdirSync(cache);
    // Node 22.1+ writes one folder per node version and uid; this machine's node ran the stage.
    if (typeof (nodeModule as { getCompileCacheDir?: unknown }).getCompileCacheDir === 'function') {
      expect(tags).toEqual([expect.stringMatching(new RegExp(`^${process.version}-`))]);
      expect(readdirSync(path.join(cache, tags[0] as string)).length).toBeGreaterThan(0);
    } else {
      expect(tags).toEqual([]);
    }
    expect(layout.env.NODE_COMPILE_CACHE).toBe(cache);
  });

  it('serves /ready 200 from the CMD (compose healthcheck passes), drains on SIGTERM, exits 0, logs it', async () => {
    expect(composeHealthcheck.slice(0, 3)).toEqual(['CMD', '/nodejs/bin/node', '-e']);
    const container = await startContainer({ cwd: layout.workdir, command: layout.command, env: imageEnv() });
    // docker-compose's healthcheck, run as written but against this process's port.
    const healthcheck = [process.execPath, ...composeHealthcheck.slice(2)].map((arg) =>
      arg.replace('127.0.0.1:8080/', `${new URL(container.url).host}/`),
    );
    try {
      const ready = await call(container.url, 'GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', schema: 'ok' } });
      expect((await call(container.url, 'GET', '/health')).status).toBe(200);
      expect(container.logs.find((line) => line.message === 'usersvc listening')).toMatchObject({
        database: backend,
      });
      expect((await runContainer({ cwd: layout.workdir, command: healthcheck, env: {} })).code).toBe(0);
    } finally {
      expect(await container.stop('SIGTERM')).toBe(0);
    }
    expect(container.logs.map((line) => line.message)).toContainEqual(
      expect.stringMatching(/^shutdown complete: server and database pool closed/),
    );
    expect((await runContainer({ cwd: layout.workdir, command: healthcheck, env: {} })).code).toBe(1);
  });

  it("applies every migration with the migration Job's args, finding migrations/ from the image layout", async () => {
    const job = findObject(renderKustomization(path.join(ROOT, 'knative/overlays/staging')), 'Job');
    const [migrate] = containersOf(job);
    expect(migrate?.command).toBeUndefined(); // args replace CMD and keep node, the ENTRYPOINT
    const command = [layout.command[0] as string, ...listAt(migrate, 'args').map(String)];

    let env: Record<string, string | undefined> = { ...layout.env, PGLITE_DATA_DIR: 'memory://' };
    let drop = async () => undefined as void;
    if (backend === 'postgres') {
      const admin = process.env.DATABASE_URL as string;
      const name = `usersvc_test_${randomBytes(6).toString('hex')}`;
      const url = new URL(admin);
      url.pathname = `/${name}`;
      const client = new Client({ connectionString: admin });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      env = { ...layout.env, DATABASE_URL: url.toString() };
      drop = async () => {
        const dropper = new Client({ connectionString: admin });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.end();
      };
    }
    try {
      const result = await runContainer({ cwd: layout.workdir, command, env });
      expect(result.code).toBe(0);
      expect(result.output).toContain(`up: ${migrationNames.join(', ')}`);
    } finally {
      await drop();
    }
  });
});
