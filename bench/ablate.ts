// `npm run bench -- --ablate`: what each feature of the service costs a request. Builds variants of the production
// bundle with one feature taken out (a source patch applied as esbuild reads the file; the build that ships applies
// none), then measures each variant, and the baseline, against the service in back-to-back pairs on one workload: the
// difference in CPU µs per request (from /proc) is that feature's price. The variant with all of them out shows what
// the rest of the pipeline costs.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';
import { bundleEntrypoint } from '../scripts/bundle';
import { restoreSeededTable, seededBenchDatabase, serverVersion } from './database';
import { runCell, STEADY_STATE_SECONDS, type CellResult } from './load';
import type { NodeRuntime } from './node-runtime';
import type { BenchOptions } from './options';
import { PLATFORM_HEADERS, ROOT, SCRIPTS, serverEnv, startServer, type ServerSpec } from './processes';
import { median, medianCell, resultsHeader, textTable, writeResults } from './report';
import { createWorkloads } from './workloads';

const DATABASE = 'usersvc_bench_ablate';
const VARIANTS_DIR = path.join(ROOT, 'dist/bench/ablate');

interface Patch {
  /** Source file, relative to the repository. */
  file: string;
  find: string;
  replace: string;
}

interface Ablation {
  name: string;
  /** What the variant does without. */
  removes: string;
  patches: Patch[];
  env?: Record<string, string>;
  /** The workloads whose path runs the patched code (by default, all): the default set for a workload is these. */
  workloads?: readonly string[];
}

const PIPELINE = 'shared/http/pipeline.ts';
const SERVER = 'shared/http/server.ts';
const GET_BY_ID = 'functions/users/get-by-id.ts';
const CREATE = 'functions/users/create.ts';
const SCHEMAS = 'shared/users/schemas.ts';
const WRITES = ['create'];
/** Workloads without a body: the body reader cannot be taken out of a write's path. */
const READS = ['getById', 'getByUsername', 'listFirst', 'listCursor', 'getByIdApiKey'];

/**
 * Each entry takes out one feature of the path of GET by id or of POST create. A patch whose text is no longer in the
 * source fails the build of its variant, so the list cannot silently measure nothing after a refactoring.
 */
export const ABLATIONS: Ablation[] = [
  {
    name: 'request-line',
    removes: 'the request log line (LOG_LEVEL=warn)',
    patches: [],
    env: { LOG_LEVEL: 'warn' },
  },
  {
    // Issue 19: what writing each request line at once (nothing pending when a process is killed) would cost. Measure
    // it with --log-pipe: stdout in a container is a pipe, where a write costs more than on /dev/null.
    name: 'request-line-batch',
    removes: "the batching of request lines (each written at once, not a turn's in one write at its end)",
    patches: [
      {
        file: 'shared/logging.ts',
        find: "    if (pending === '') flushSoon();\n    pending += structuredLine(level, message, fields as Fields);",
        replace: '    flush();\n    stream.write(structuredLine(level, message, fields as Fields));',
      },
    ],
  },
  {
    name: 'trace-fields',
    removes: 'the trace fields of the request line (traceparent parsed)',
    patches: [{ file: PIPELINE, find: 'traceFields(req.headers, project),', replace: 'undefined,' }],
  },
  {
    name: 'client-ip',
    removes: "the client's address from X-Forwarded-For (the socket's peer instead)",
    patches: [
      { file: PIPELINE, find: 'remoteIp: clientIp(req, trustedHops),', replace: 'remoteIp: req.socket.remoteAddress,' },
    ],
  },
  {
    name: 'metrics',
    removes: 'the request metrics (in-flight gauge, counter and histogram)',
    patches: [
      { file: PIPELINE, find: 'metrics.requestStarted();', replace: '' },
      { file: PIPELINE, find: 'metrics.requestFinished(method, template, reply.status, seconds);', replace: '' },
    ],
  },
  {
    name: 'request-id',
    removes: 'the request id (X-Request-ID read and checked, or a UUID made)',
    patches: [
      {
        file: PIPELINE,
        find: "const requestId = requestIdFrom(req.headers['x-request-id']);",
        replace: "const requestId = 'ablated';",
      },
    ],
  },
  {
    name: 'id-validation',
    workloads: ['getById', 'getByIdApiKey', 'patch'],
    removes: "the path id's check (a regex; zod's schema for an id not in canonical form)",
    patches: [
      {
        file: GET_BY_ID,
        find: 'const id = pathUserId(request.params.id);',
        replace: 'const id = request.params.id as string;',
      },
    ],
  },
  {
    name: 'etag',
    workloads: ['getById', 'getByIdApiKey'],
    removes: 'the ETag, Cache-Control and If-None-Match check of a user',
    patches: [
      {
        file: GET_BY_ID,
        find: 'return conditionalUserResponse(request, found);',
        replace: 'return { status: 200, body: found.user };',
      },
    ],
  },
  {
    name: 'api-headers',
    removes: 'the headers on every API response (Cache-Control: no-store, X-Content-Type-Options)',
    patches: [
      {
        file: 'shared/http/response-headers.ts',
        find: "'Cache-Control': 'no-store',\n  'X-Content-Type-Options': 'nosniff',",
        replace: '',
      },
    ],
  },
  {
    name: 'query-timeout',
    removes: "pg's client-side query timeout (a timer per query)",
    patches: [{ file: 'shared/db/postgres.ts', find: 'query_timeout: config.statementTimeoutMs + 1000,', replace: '' }],
  },
  {
    name: 'pool-wait-timeout',
    removes: "pg-pool's bound on the wait for a connection (a timer per checkout that waits)",
    patches: [
      { file: 'shared/db/postgres.ts', find: 'connectionTimeoutMillis: config.connectTimeoutMs,', replace: '' },
    ],
  },
  {
    name: 'body-limit',
    workloads: READS,
    removes: 'the body reader in front of the pipeline (size limit, transfer codings, timeout)',
    patches: [
      {
        file: SERVER,
        find: 'readBodyWithLimit(request, MAX_BODY_BYTES, () => handle(request, response));',
        replace: 'handle(request, response);',
      },
    ],
  },
  {
    name: 'create-validation',
    workloads: WRITES,
    removes: "zod's validation of a create's body (the parsed JSON is inserted as it is)",
    patches: [
      {
        file: CREATE,
        find: 'const input = parseWith(createUserInput, jsonBody(request));',
        replace: 'const input = jsonBody(request) as never;',
      },
    ],
  },
  {
    name: 'email-check',
    workloads: WRITES,
    removes: "zod's email format check (any string up to 100 characters)",
    patches: [
      { file: SCHEMAS, find: "z\n  .email({ error: 'must be a valid email address' })", replace: 'z.string()' },
    ],
  },
  {
    name: 'full-name-check',
    workloads: WRITES,
    removes: "the full name's trimming and character rules (any string)",
    patches: [
      {
        file: SCHEMAS,
        find: 'export const fullName = z',
        replace: 'export const fullName = z.string();\nconst _fullName = z',
      },
    ],
  },
  {
    name: 'json-body',
    workloads: WRITES,
    removes: "the body's media type, coding and UTF-8 checks (JSON.parse of the raw bytes)",
    patches: [
      {
        file: CREATE,
        find: 'jsonBody(request)',
        replace: 'JSON.parse(String(request.rawBody))',
      },
    ],
  },
  {
    name: 'idempotent',
    workloads: WRITES,
    removes: 'the Idempotency-Key wrapper and its write-conflict retry (the insert runs directly)',
    patches: [
      {
        file: CREATE,
        find: "return idempotent(request, app, { name: 'createUser', input }, async (db) => {",
        replace: 'return (async (db) => {',
      },
      { file: CREATE, find: '  });\n};', replace: '  })(app.db);\n};' },
    ],
  },
  {
    name: 'location',
    workloads: WRITES,
    removes: 'the Location header of a created user',
    patches: [
      {
        file: CREATE,
        find: ', { Location: `/api/v1/users/id/${created.user.id}` }',
        replace: '',
      },
    ],
  },
  {
    name: 'body-reader',
    workloads: WRITES,
    removes: "the body reader's limit, transfer-coding and timeout checks (the chunks gathered as the baseline does)",
    patches: [
      {
        file: SERVER,
        find: 'readBodyWithLimit(request, MAX_BODY_BYTES, () => handle(request, response));',
        replace:
          "const chunks = []; request.on('data', (c) => chunks.push(c)); " +
          "request.on('end', () => { request.rawBody = Buffer.concat(chunks); handle(request, response); });",
      },
    ],
  },
  {
    name: 'drain-response',
    removes: 'the drain-aware ServerResponse subclass (Connection: close once draining)',
    patches: [{ file: SERVER, find: 'ServerResponse: DrainingAwareResponse,', replace: '' }],
  },
];

/** Several ablations as one variant: every feature they name taken out at once. */
function combined(
  name: string,
  parts: readonly Ablation[],
  // Two descriptions fit a table cell; more are named by the variant's own name (a+b+c).
  removes = parts.length <= 2 ? parts.map((a) => a.removes).join('; ') : `the ${parts.length} features named`,
): Ablation {
  return {
    name,
    removes,
    patches: parts.flatMap((a) => a.patches),
    env: Object.assign({}, ...parts.map((a) => a.env ?? {})) as Record<string, string>,
  };
}

/**
 * The variants to measure: by default each ablation alone and all of them at once (`all-above`); `--ablations=a,b+c`
 * picks some, `+` joining several into one variant (to find features whose costs only show together).
 */
function selectAblations(names: readonly string[], workload: string): Ablation[] {
  if (names.length === 0) {
    const mine = ABLATIONS.filter((a) => a.workloads === undefined || a.workloads.includes(workload));
    return [...mine, combined('all-above', mine, 'all of the above at once')];
  }
  return names.map((name) => {
    const parts = name.split('+').map((part) => {
      const found = ABLATIONS.find((a) => a.name === part);
      if (!found) throw new Error(`unknown ablation ${part}; known: ${ABLATIONS.map((a) => a.name).join(', ')}`);
      return found;
    });
    return parts.length === 1 ? (parts[0] as Ablation) : combined(name, parts);
  });
}

/** An esbuild plugin that applies the patches to the files they name as they are read. */
function patching(patches: readonly Patch[]): Plugin {
  const byFile = new Map<string, Patch[]>();
  for (const patch of patches) byFile.set(patch.file, [...(byFile.get(patch.file) ?? []), patch]);
  return {
    name: 'ablate',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const mine = byFile.get(path.relative(ROOT, args.path));
        if (!mine) return undefined;
        let text = readFileSync(args.path, 'utf8');
        for (const patch of mine) {
          if (!text.includes(patch.find)) throw new Error(`ablation patch not found in ${patch.file}: ${patch.find}`);
          text = text.replace(patch.find, patch.replace);
        }
        byFile.delete(path.relative(ROOT, args.path));
        return { contents: text, loader: 'ts' };
      });
      build.onEnd(() => {
        if (byFile.size > 0)
          throw new Error(`ablation patches for files not in the bundle: ${[...byFile.keys()].join(', ')}`);
      });
    },
  };
}

interface AblationRow {
  target: string;
  removes: string;
  /** Median over the rounds of the service's CPU µs a request minus the target's, each pair measured back to back. */
  savedMicros: number;
  cpuMicrosPerRequest: number;
  serviceMicrosPerRequest: number;
  /** Median over the rounds of the target's req/s over the service's. */
  reqPerSecRatio: number;
  errors: number;
  pairs: { service: CellResult; target: CellResult }[];
}

function summarise(target: Target, pairs: { service: CellResult; target: CellResult }[]): AblationRow {
  return {
    target: target.name,
    removes: target.removes,
    savedMicros: median(pairs.map((p) => p.service.cpuMicrosPerRequest - p.target.cpuMicrosPerRequest)),
    cpuMicrosPerRequest: medianCell(pairs.map((p) => p.target)).cpuMicrosPerRequest,
    serviceMicrosPerRequest: medianCell(pairs.map((p) => p.service)).cpuMicrosPerRequest,
    reqPerSecRatio: median(pairs.map((p) => p.target.reqPerSec / p.service.reqPerSec)),
    errors: pairs.reduce((sum, p) => sum + p.target.errors + p.service.errors, 0),
    pairs,
  };
}

interface Target {
  name: string;
  removes: string;
  spec: ServerSpec;
}

async function buildTargets(
  url: string,
  options: BenchOptions,
  node: NodeRuntime,
  workload: string,
): Promise<Target[]> {
  rmSync(VARIANTS_DIR, { recursive: true, force: true });
  mkdirSync(VARIANTS_DIR, { recursive: true });
  const env = serverEnv(url, options.poolMax);
  const spec = (name: string, script: string, extra: Record<string, string> = {}): ServerSpec => ({
    name,
    script,
    env: { ...env, ...extra },
    node: node.execPath,
    logPipe: options.logPipe,
  });
  // The service first: every other target is measured against it.
  const targets: Target[] = [
    { name: 'service', removes: 'nothing: the production bundle', spec: spec('service', SCRIPTS.service) },
    { name: 'baseline', removes: 'everything: bare node:http + pg', spec: spec('baseline', SCRIPTS.baseline) },
  ];
  for (const ablation of selectAblations(options.ablations, workload)) {
    // In dist/, so the bundle's external packages resolve from node_modules as the service's do.
    const script = path.join(VARIANTS_DIR, `${ablation.name}.js`);
    await bundleEntrypoint(script, [patching(ablation.patches)]);
    targets.push({ name: ablation.name, removes: ablation.removes, spec: spec(ablation.name, script, ablation.env) });
  }
  return targets;
}

export async function runAblation(
  options: BenchOptions,
  node: NodeRuntime,
  progress: (line: string) => void,
): Promise<void> {
  const startedAt = new Date().toISOString();
  const { url, data } = await seededBenchDatabase(options.databaseUrl, DATABASE, options.seedRows);
  const name = options.workloads[0] ?? 'getById';
  const workload = createWorkloads(data).find((w) => w.name === name);
  if (!workload) throw new Error(`unknown workload ${name}`);
  const connections = Math.max(...options.connections);
  const targets = await buildTargets(url, options, node, workload.name);

  // Each target runs beside the service, measured in adjacent pairs whose order turns every round (service first,
  // then the target first ...): the machine's speed drifts by a third over minutes on a shared VM, and only a
  // difference taken between neighbouring cells cancels it. The figure is the median of the rounds' differences.
  const service = await startServer(targets[0]?.spec as ServerSpec);
  const rows: AblationRow[] = [];
  const cellOptions = (warmupSeconds: number) => ({
    connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds,
    data,
    headers: PLATFORM_HEADERS,
  });
  try {
    await runCell(service, workload, { ...cellOptions(0), durationSeconds: STEADY_STATE_SECONDS });
    for (const target of targets.slice(1)) {
      const server = await startServer(target.spec);
      const pairs: { service: CellResult; target: CellResult }[] = [];
      try {
        await runCell(server, workload, { ...cellOptions(0), durationSeconds: STEADY_STATE_SECONDS });
        for (let round = 0; round < options.rounds; round++) {
          const measured = new Map<string, CellResult>();
          for (const running of round % 2 === 0 ? [service, server] : [server, service]) {
            measured.set(running.name, await runCell(running, workload, cellOptions(0)));
            if (workload.writes) await restoreSeededTable(url);
          }
          const pair = {
            service: measured.get('service') as CellResult,
            target: measured.get(target.name) as CellResult,
          };
          pairs.push(pair);
          progress(
            `${target.name} round ${round + 1}/${options.rounds}: ${pair.target.cpuMicrosPerRequest.toFixed(1)} µs CPU/req ` +
              `against the service's ${pair.service.cpuMicrosPerRequest.toFixed(1)}; ` +
              `${pair.target.reqPerSec.toFixed(0)} vs ${pair.service.reqPerSec.toFixed(0)} req/s`,
          );
        }
      } finally {
        await server.stop();
      }
      rows.push(summarise(target, pairs));
    }
  } finally {
    await service.stop();
  }

  const singles = rows.filter((r) => ABLATIONS.some((a) => a.name === r.target));
  const sumOfSingles = singles.reduce((sum, r) => sum + r.savedMicros, 0);
  const gap = rows.find((r) => r.target === 'baseline')?.savedMicros ?? NaN;
  const all = rows.find((r) => r.target === 'all-above')?.savedMicros ?? NaN;
  process.stdout.write(
    `\nWhat each feature costs: ${workload.description}, ${connections} connections, Node ${node.version}; ` +
      `medians of ${options.rounds} paired rounds of ${options.durationSeconds} s against the service\n` +
      textTable([
        ['target', 'without', 'saves CPU µs/req', 'its µs/req', "service's µs/req", 'req/s vs service', 'errors'],
        ...rows.map((r) => [
          r.target,
          r.removes,
          r.savedMicros.toFixed(1),
          r.cpuMicrosPerRequest.toFixed(1),
          r.serviceMicrosPerRequest.toFixed(1),
          r.reqPerSecRatio.toFixed(2),
          String(r.errors),
        ]),
      ]) +
      `\nservice − baseline: ${gap.toFixed(1)} µs a request` +
      (singles.length > 0 ? `; the features one at a time: ${sumOfSingles.toFixed(1)}` : '') +
      (Number.isNaN(all) ? '' : `; all of them at once: ${all.toFixed(1)}`) +
      '\n',
  );
  const file = writeResults(
    {
      ...resultsHeader('ablate', startedAt, node.version, await serverVersion(options.databaseUrl), options),
      workload: workload.name,
      connections,
      rows,
    },
    'ablate-',
  );
  rmSync(VARIANTS_DIR, { recursive: true, force: true });
  process.stdout.write(`\nraw figures: ${path.relative(ROOT, file)} (and bench/results/ablate-latest.json)\n`);
}
