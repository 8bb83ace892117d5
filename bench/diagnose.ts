// `npm run bench -- --diagnose`: where a request's time goes. Runs the same load against variants that add one
// layer at a time (bare baseline, our pipeline on node:http, Functions Framework with and without its domain and
// our request log), one after another; then CPU-profiles two of them under load and times each dependency's load.
import { mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recreateDatabase, seedUsers, serverVersion, userIds, cursorAfterRow } from './database';
import { probeWorkload, runCell, type CellResult } from './load';
import type { BenchOptions } from './options';
import { ROOT, SCRIPTS, serverEnv, startServer, type ServerSpec } from './processes';
import { measureModuleLoads } from './module-load';
import { summariseProfile, type ProfileSummary } from './profile';
import { CELL_HEADER, RESULTS_DIR, cellRow, textTable, writeResults } from './report';
import { createWorkloads, workloadNamed, type Workload } from './workloads';

const DATABASE = 'usersvc_bench_diag';
const NO_DOMAIN = ['-r', path.join(ROOT, 'dist/bench/no-domain.js')];
const NO_LOG = ['-r', path.join(ROOT, 'dist/bench/skip-filtered-logs.js')];

interface Variant {
  label: string;
  what: string;
  spec: ServerSpec;
}

function variants(url: string, poolMax: number): Variant[] {
  const env = (logLevel: string) => serverEnv(url, poolMax, { LOG_LEVEL: logLevel });
  // The FF variants serve through Functions Framework's own Express app, as SERVE_VIA=functions-framework does.
  const viaFramework = (logLevel: string) => ({ ...env(logLevel), SERVE_VIA: 'functions-framework' });
  // "-log": LOG_LEVEL=warn plus a preload that skips filtered lines before winston formats them, so the per-request
  // info line costs nothing but building its fields. "-domain": Functions Framework's domain.create() stubbed.
  return [
    {
      label: 'baseline',
      what: 'node:http + pg, same SQL',
      spec: { name: 'baseline', script: SCRIPTS.baseline, env: env('info') },
    },
    {
      label: 'http+pipeline -log',
      what: 'our pipeline on node:http, request log off',
      spec: { name: 'http+pipeline -log', script: SCRIPTS.pipeline, env: env('warn'), nodeArgs: NO_LOG },
    },
    {
      label: 'http+pipeline',
      what: 'our pipeline on node:http, request log on',
      spec: { name: 'http+pipeline', script: SCRIPTS.pipeline, env: env('info') },
    },
    {
      label: 'FF -domain -log',
      what: 'service via FF, domain stubbed, request log off',
      spec: {
        name: 'FF -domain -log',
        script: SCRIPTS.service,
        env: viaFramework('warn'),
        nodeArgs: [...NO_DOMAIN, ...NO_LOG],
      },
    },
    {
      label: 'FF -domain',
      what: 'service via FF, domain stubbed',
      spec: { name: 'FF -domain', script: SCRIPTS.service, env: viaFramework('info'), nodeArgs: NO_DOMAIN },
    },
    {
      label: 'FF -log',
      what: 'service via FF, request log off',
      spec: { name: 'FF -log', script: SCRIPTS.service, env: viaFramework('warn'), nodeArgs: NO_LOG },
    },
    {
      label: 'FF',
      what: 'service via FF (SERVE_VIA=functions-framework)',
      spec: { name: 'FF', script: SCRIPTS.service, env: viaFramework('info') },
    },
    {
      label: 'service',
      what: 'the production service (SERVE_VIA=node)',
      spec: { name: 'service', script: SCRIPTS.service, env: env('info') },
    },
  ];
}

interface Profiled {
  variant: string;
  workload: string;
  file?: string;
  cell: CellResult;
  summary?: ProfileSummary;
}

/** Runs one cell against the variant started with --cpu-prof; counts only the samples taken during the load. */
async function profileUnder(
  variant: Variant,
  workload: Workload,
  cellOptions: { connections: number; durationSeconds: number; warmupSeconds: number },
  dir: string,
): Promise<Profiled> {
  mkdirSync(dir, { recursive: true });
  const server = await startServer({
    ...variant.spec,
    name: `${variant.label} --cpu-prof`,
    nodeArgs: [...(variant.spec.nodeArgs ?? []), '--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  let cell: CellResult;
  let window: [number, number];
  try {
    await runCell(server, workload, {
      ...cellOptions,
      durationSeconds: cellOptions.warmupSeconds || 1,
      warmupSeconds: 0,
    });
    const start = Number(process.hrtime.bigint() / 1000n);
    cell = await runCell(server, workload, { ...cellOptions, warmupSeconds: 0 });
    window = [start, Number(process.hrtime.bigint() / 1000n)];
  } finally {
    await server.stop(); // the profile is written as the process exits
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  return {
    variant: variant.label,
    workload: workload.name,
    file: file && path.relative(ROOT, path.join(dir, file)),
    cell,
    summary: file ? summariseProfile(path.join(dir, file), window) : undefined,
  };
}

const health: Workload = {
  name: 'health',
  description: 'GET /health (no database)',
  expect: [200],
  next: () => ({ method: 'GET', path: '/health' }),
};

export async function runDiagnosis(options: BenchOptions, progress: (line: string) => void): Promise<void> {
  const startedAt = new Date().toISOString();
  const url = await recreateDatabase(options.databaseUrl, DATABASE);
  await seedUsers(url, options.seedRows);
  const ids = await userIds(url);
  const cursor = await cursorAfterRow(url, Math.floor(options.seedRows / 2));
  const getById = workloadNamed(createWorkloads({ ids, seedRows: options.seedRows, cursor }), 'getById');
  const workloads = [health, getById];
  const cellOptions = {
    connections: options.diagnoseConnections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
  };
  progress(`diagnosis: ${workloads.map((w) => w.name).join(', ')} at ${cellOptions.connections} connections`);

  const cells: { variant: Variant; cell: CellResult }[] = [];
  for (const variant of variants(url, options.poolMax)) {
    const server = await startServer(variant.spec);
    try {
      for (const workload of workloads) {
        await probeWorkload(server, workload);
        const cell = await runCell(server, workload, cellOptions);
        cells.push({ variant, cell });
        progress(
          `${variant.label.padEnd(20)} ${workload.name.padEnd(8)} ${cell.reqPerSec.toFixed(0).padStart(6)} req/s  ` +
            `p99 ${String(cell.latencyMs.p99).padStart(4)} ms  CPU ${cell.cpuMicrosPerRequest.toFixed(0).padStart(5)} µs/req  errors ${cell.errors}`,
        );
      }
    } finally {
      await server.stop();
    }
  }

  const profileDir = path.join(RESULTS_DIR, `profile-${startedAt.replace(/[:.]/g, '-')}`);
  mkdirSync(profileDir, { recursive: true });
  const all = variants(url, options.poolMax);
  const profiles: Profiled[] = [];
  for (const [label, workload] of [
    ['service', getById],
    ['FF -domain -log', health],
  ] as const) {
    const variant = all.find((v) => v.label === label) as Variant;
    progress(`profiling ${label} under ${workload.name} (--cpu-prof into ${path.relative(ROOT, profileDir)})`);
    profiles.push(
      await profileUnder(variant, workload, cellOptions, path.join(profileDir, variant.label.replace(/\W+/g, '-'))),
    );
  }
  progress('timing module loads (fresh process per module)');
  const moduleLoads = measureModuleLoads();

  for (const workload of workloads) {
    const rows = [['variant', ...CELL_HEADER.slice(1), 'Δ CPU vs baseline']];
    const base = cells.find((c) => c.cell.workload === workload.name && c.variant.label === 'baseline')?.cell;
    for (const { variant, cell } of cells.filter((c) => c.cell.workload === workload.name)) {
      const delta = base ? cell.cpuMicrosPerRequest - base.cpuMicrosPerRequest : NaN;
      rows.push([...cellRow(cell, variant.label), `${delta >= 0 ? '+' : ''}${delta.toFixed(0)} µs`]);
    }
    process.stdout.write(`\n${workload.description}, ${cellOptions.connections} connections\n${textTable(rows)}\n`);
  }
  process.stdout.write(
    `\nVariants:\n${variants(url, options.poolMax)
      .map((v) => `  ${v.label.padEnd(20)} ${v.what}`)
      .join('\n')}\n`,
  );
  const table = (title: string, entries: ProfileSummary['topFunctions']) =>
    `\n${title}\n${textTable([['ms', '%', 'name'], ...entries.map((e) => [String(e.ms), e.percent.toFixed(1), e.name])])}\n`;
  for (const { variant, workload, cell, summary } of profiles) {
    if (!summary) {
      process.stdout.write(`\nno CPU profile was written for ${variant}\n`);
      continue;
    }
    process.stdout.write(
      `\nCPU profile: ${variant} under ${workload} (${cell.reqPerSec.toFixed(0)} req/s, ${cell.cpuMicrosPerRequest.toFixed(0)} µs/req; ` +
        `${summary.busyMs} ms busy${summary.windowed ? ' during the load' : ', whole process incl. start-up'})` +
        table(
          'Self time by package or node core module (the frame on top of the stack)',
          summary.selfByPackage.slice(0, 15),
        ) +
        table('Inclusive time by package (anywhere on the stack)', summary.inclusiveByPackage.slice(0, 15)) +
        table('Top functions by self time', summary.topFunctions.slice(0, 20)),
    );
  }
  process.stdout.write(
    '\nNote: V8 samples wall-clock time. On a busy machine a process that is preempted inside a system call is\n' +
      'charged to that call (writev: the response write wakes the load generator, which takes the CPU), so writev\n' +
      'and "(native ...)" overstate real work. The CPU µs/req columns above come from /proc and are the cost measure.\n',
  );
  process.stdout.write(
    `\nModule load time, each alone in a fresh process (median of 3)\n${textTable([
      ['module', 'ms'],
      ...moduleLoads.map((m) => [m.module, m.medianMs.toFixed(0)]),
    ])}\n`,
  );
  const file = writeResults(
    {
      kind: 'diagnose',
      startedAt,
      finishedAt: new Date().toISOString(),
      node: process.version,
      database: await serverVersion(options.databaseUrl),
      host: { cpus: os.cpus().length, loadAverage: os.loadavg() },
      options,
      variants: variants(url, options.poolMax).map(({ label, what }) => ({ label, what })),
      cells: cells.map(({ variant, cell }) => ({ variant: variant.label, ...cell })),
      profiles: profiles.map(({ cell, ...rest }) => ({
        reqPerSec: cell.reqPerSec,
        cpuMicrosPerRequest: cell.cpuMicrosPerRequest,
        ...rest,
      })),
      moduleLoads,
    },
    'diagnose-',
  );
  process.stdout.write(`\nraw figures: ${path.relative(ROOT, file)} (and bench/results/diagnose-latest.json)\n`);
}
