// `npm run bench`: the service (dist/functions/main.js) against a bare node:http + pg baseline on the real
// PostgreSQL, cell by cell (workload × concurrency, service then baseline), plus cold start, peak RSS and
// list-page latency on a small and a large table. Prints tables and the markdown for bench/README.md; writes
// bench/results/*.json. With --pooled, the service in transaction mode through PgBouncer against session mode.
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureColdStarts } from './cold-start';
import { decidePinning } from './cpus';
import { startBenchIssuer, withIssuer } from './issuer';
import { COMPILE_CACHE_SCRIPT, fillCompileCache } from './compile-cache';
import { restoreSeededTable, seededBenchDatabase, serverVersion } from './database';
import { measureListLatency } from './list-latency';
import { clientOverLimit, ensureWrk, probeWorkload, runCell, STEADY_STATE_SECONDS, type CellResult } from './load';
import { resolveNode, type NodeRuntime } from './node-runtime';
import { USAGE, parseOptions, type BenchOptions } from './options';
import { pooledSpecs } from './pooled';
import {
  headersFor,
  PLATFORM_HEADERS,
  ROOT,
  SCRIPTS,
  serverEnv,
  startServer,
  type RunningServer,
  withApiKey,
  type ServerSpec,
} from './processes';
import {
  allCells,
  bearerRows,
  checkTargets,
  compare,
  markdown,
  textTable,
  workloadTable,
  writeResults,
  type BenchResults,
  type ColdStart,
  type Comparison,
} from './report';
import { createWorkloads, type BearerAlgorithm, type Workload, type WorkloadData } from './workloads';

const DATABASE = 'usersvc_bench';
const POOLED_WORKLOADS = ['getById', 'create', 'mix'];
const began = performance.now();
const progress = (line: string) =>
  process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

interface Specs {
  service: ServerSpec;
  /** The same service started with API_KEY, for the workloads marked apiKey. */
  serviceWithKey: ServerSpec;
  /** The same service started with AUTH_ISSUER (the bench's issuer), and its tokens, for the workloads marked bearer. */
  serviceWithIssuer?: { spec: ServerSpec; tokens: Record<BearerAlgorithm, string> };
  baseline: ServerSpec;
}

async function measureCells(
  options: BenchOptions,
  url: string,
  specs: Specs,
  workloads: ReturnType<typeof createWorkloads>,
  data: WorkloadData,
) {
  const comparisons: Comparison[] = [];
  const cells: CellResult[] = [];
  const peaks = new Map<string, { mixMaxRssMB: number; lifetimePeakMB: number }>();
  const servers: RunningServer[] = [];
  const headersOf = (workload: Workload) => headersFor(workload, PLATFORM_HEADERS, specs.serviceWithIssuer?.tokens);
  try {
    /**
     * A server is started, and loaded until its CPU a request has settled, right before its first cell: a fresh
     * process is still compiling and growing its heap, and one left idle for minutes is slower again (bench/README.md,
     * Findings).
     */
    const warm = async (spec: ServerSpec, workload: Workload) => {
      const server = await startServer(spec);
      servers.push(server);
      await runCell(server, workload, {
        connections: Math.max(...options.connections),
        durationSeconds: options.quick ? 2 : STEADY_STATE_SECONDS,
        warmupSeconds: 0,
        data,
        headers: headersOf(workload),
      });
      if (workload.writes) await restoreSeededTable(url);
      return server;
    };
    const first = workloads[0];
    if (!first) return { cells, comparisons, peakRss: [] };
    const service = await warm(specs.service, first);
    const baseline = await warm(specs.baseline, first);
    let serviceWithKey: RunningServer | undefined;
    let serviceWithIssuer: RunningServer | undefined;
    const serviceFor = async (workload: Workload) => {
      if (workload.apiKey) return (serviceWithKey ??= await warm(specs.serviceWithKey, workload));
      if (workload.bearer && specs.serviceWithIssuer) {
        return (serviceWithIssuer ??= await warm(specs.serviceWithIssuer.spec, workload));
      }
      return service;
    };
    for (const workload of workloads) {
      const mine: Comparison[] = [];
      // Same status and the same answer shape from both, or the comparison would be of different work.
      const headers = headersOf(workload);
      const [serviceShape, baselineShape] = [
        await probeWorkload(await serviceFor(workload), workload, headers),
        await probeWorkload(baseline, workload, headers),
      ];
      if (serviceShape !== baselineShape) {
        throw new Error(`${workload.name}: service answers ${serviceShape}, baseline answers ${baselineShape}`);
      }
      // Authentication on is one cell, at the highest concurrency.
      const levels = workload.apiKey || workload.bearer ? [Math.max(...options.connections)] : options.connections;
      for (const connections of levels) {
        const pair = [await serviceFor(workload), baseline];
        const rounds = new Map<RunningServer, CellResult[]>(pair.map((server) => [server, []]));
        // Alternating rounds, the order swapped each round, so that drift in the machine's speed (a shared VM's
        // neighbours, the CPU's clock) hits both servers alike; each figure is then the median of the rounds.
        for (let round = 0; round < options.rounds; round++) {
          for (const server of round % 2 === 0 ? pair : [...pair].reverse()) {
            const cell = await runCell(server, workload, {
              connections,
              durationSeconds: options.durationSeconds,
              warmupSeconds: round === 0 ? options.warmupSeconds : 0,
              data,
              headers: headersOf(workload),
            });
            rounds.get(server)?.push(cell);
            cells.push(cell);
            // Created rows would make every later cell's table bigger (and the two targets' tables differ).
            if (workload.writes) await restoreSeededTable(url);
            progress(
              `${workload.name} ×${connections} ${server.name} (round ${round + 1}/${options.rounds}): ` +
                `${cell.reqPerSec.toFixed(0)} req/s, p50 ${cell.latencyMs.p50.toFixed(1)} ms, ` +
                `p99 ${cell.latencyMs.p99.toFixed(1)} ms, errors ${cell.errors}, ` +
                `CPU ${cell.cpuMicrosPerRequest.toFixed(0)} µs/req, ${cell.reqPerCpuSecond.toFixed(0)} req per CPU s, ` +
                `client ${cell.clientCores.toFixed(2)} cores`,
            );
            if (workload.name === 'mix' && connections === Math.max(...options.connections)) {
              const peak = peaks.get(server.name) ?? { mixMaxRssMB: 0, lifetimePeakMB: 0 };
              peak.mixMaxRssMB = Math.max(peak.mixMaxRssMB, cell.rssMB.max);
              peaks.set(server.name, peak);
            }
          }
        }
        mine.push(compare(rounds.get(pair[0] as RunningServer) ?? [], rounds.get(baseline) ?? []));
      }
      comparisons.push(...mine);
      process.stdout.write(`\n${workloadTable(workload.description, mine)}\n`);
    }
    for (const server of servers) {
      const peak = peaks.get(server.name) ?? { mixMaxRssMB: NaN, lifetimePeakMB: 0 };
      peak.lifetimePeakMB = server.memory().peakRssMB;
      peaks.set(server.name, peak);
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  return { cells, comparisons, peakRss: [...peaks.entries()].map(([name, peak]) => ({ name, ...peak })) };
}

async function bench(options: BenchOptions, node: NodeRuntime): Promise<void> {
  const startedAt = new Date().toISOString();
  const database = await serverVersion(options.databaseUrl);
  const loadAverageStart = os.loadavg();
  process.stdout.write(
    `usersvc bench${options.quick ? ' (--quick: development figures only)' : ''}\n` +
      `servers on Node ${node.version} (${node.execPath}); ${database}\n` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${loadAverageStart.map((l) => l.toFixed(2)).join(' ')}\n` +
      `${options.rounds} alternating rounds of ${options.durationSeconds} s per cell after ${options.warmupSeconds} s warm-up; ` +
      `connections ${options.connections.join(', ')}; ` +
      `pool ${options.poolMax}\n`,
  );

  progress(`recreating ${DATABASE} and seeding ${options.seedRows} users`);
  const { url, seedSeconds, data } = await seededBenchDatabase(options.databaseUrl, DATABASE, options.seedRows);
  const all = createWorkloads(data);
  const unknown = options.workloads.filter((name) => !all.some((w) => w.name === name));
  if (unknown.length > 0) throw new Error(`unknown workloads ${unknown.join(', ')}\n${USAGE}`);
  const chosen = options.workloads.length ? options.workloads : options.pooled ? POOLED_WORKLOADS : [];
  const workloads = chosen.length ? all.filter((w) => chosen.includes(w.name)) : all;

  // The service runs as the image runs it: the bundle, with the compile cache the image build fills.
  const cache = fillCompileCache(node.execPath, serverEnv(url, options.poolMax));
  progress(`compile cache: ${cache.said}`);
  const serviceEnv = serverEnv(url, options.poolMax, {}, cache.dir);
  const serviceAs = (name: string): ServerSpec => ({
    name,
    script: SCRIPTS.service,
    env: serviceEnv,
    node: node.execPath,
  });
  // Started only for bearer workloads; it serves the service's discovery and key fetches until the cells are done.
  const issuer = workloads.some((w) => w.bearer) ? await startBenchIssuer() : undefined;
  const specs: Specs = {
    service: serviceAs('service'),
    serviceWithKey: withApiKey(serviceAs('service+key')),
    serviceWithIssuer: issuer && { spec: withIssuer(serviceAs('service+issuer'), issuer), tokens: issuer.tokens },
    baseline: { name: 'baseline', script: SCRIPTS.baseline, env: serverEnv(url, options.poolMax), node: node.execPath },
  };

  if (options.pooled) {
    const pooled = await pooledSpecs(url, options.poolMax, node.execPath, cache.dir);
    process.stdout.write(
      '--pooled: "service" is DB_POOL_MODE=transaction through PgBouncer, "baseline" session mode, direct\n',
    );
    try {
      await measureCells(
        options,
        url,
        { ...specs, service: pooled.transaction, baseline: pooled.session },
        workloads,
        data,
      );
    } finally {
      await issuer?.close();
      await pooled.pooler.stop();
      rmSync(cache.dir, { recursive: true, force: true });
    }
    return;
  }

  let coldStart: ColdStart[] = [];
  if (!options.skipColdStart) {
    progress(`cold start: ${options.coldStarts} starts each, alternating`);
    coldStart = await measureColdStarts([specs.service, specs.baseline], options.coldStarts, progress);
  }

  const { cells, comparisons, peakRss } = await measureCells(options, url, specs, workloads, data);
  await issuer?.close();
  rmSync(cache.dir, { recursive: true, force: true });

  let listLatency: BenchResults['listLatency'];
  if (!options.skipLarge) {
    progress(`list latency: ${options.smallRows} rows vs ${options.largeRows} rows`);
    listLatency = await measureListLatency(options, node.execPath, progress);
  }

  const partial = {
    kind: 'bench' as const,
    startedAt,
    finishedAt: new Date().toISOString(),
    node: node.version,
    database,
    host: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverageStart,
      loadAverageEnd: os.loadavg(),
    },
    options,
    seed: { rows: options.seedRows, seconds: seedSeconds },
    coldStart,
    cells,
    comparisons,
    peakRss,
    listLatency,
  };
  const results: BenchResults = { ...partial, checks: checkTargets(partial, options.maxClientCores) };
  printSummary(results);
  const file = writeResults(results);
  process.stdout.write(`\nraw figures: ${path.relative(ROOT, file)} (and bench/results/latest.json)\n`);
  const over = clientOverLimit(allCells(partial), options.maxClientCores);
  if (over.length > 0) {
    // Loud, and after the tables: the figures stay readable, but this run does not count.
    process.stderr.write(
      `\nBENCH FAILED: the load generator used more than ${options.maxClientCores} core in ${over.length} cell(s), ` +
        'so it took CPU from the server and PostgreSQL and those figures are void:\n' +
        over
          .map(
            (c) =>
              `  ${c.workload} ×${c.connections} ${c.target}: ${c.clientCores.toFixed(2)} cores at ${c.reqPerSec.toFixed(0)} req/s\n`,
          )
          .join('') +
        "wrk's own CPU a request (mostly the kernel's loopback TCP work) caps the rate it can drive: bench/README.md.\n",
    );
    process.exitCode = 1;
  }
}

function printSummary(results: BenchResults): void {
  const out: string[] = [];
  if (results.coldStart.length) {
    out.push(
      '\nCold start (spawn to first 200 from /ready)',
      textTable([
        ['server', 'median ms', 'min', 'max', 'samples', 'RSS at ready MB'],
        ...results.coldStart.map((c) => [
          c.name,
          c.medianMs.toFixed(0),
          Math.min(...c.samplesMs).toFixed(0),
          Math.max(...c.samplesMs).toFixed(0),
          String(c.samplesMs.length),
          c.rssAtReadyMB.toFixed(0),
        ]),
      ]),
    );
  }
  const bearer = bearerRows(results.comparisons);
  if (bearer.length > 0) {
    out.push(
      "\nBearer tokens against the API key (service; ratios of the cells' ratios to the baseline)",
      textTable(bearer),
    );
  }
  out.push(
    '\nMemory',
    textTable([
      ['server', 'max RSS in mix MB', 'lifetime peak (VmHWM) MB'],
      ...results.peakRss.map((p) => [p.name, p.mixMaxRssMB.toFixed(0), p.lifetimePeakMB.toFixed(0)]),
    ]),
  );
  const list = results.listLatency;
  if (list) {
    const rows = [['table', 'seeded in', 'page', 'req/s', 'mean ms', 'p50 ms', 'p99 ms', 'errors']];
    for (const table of [list.small, list.large]) {
      for (const page of ['first', 'deep'] as const) {
        const cell = table[page];
        rows.push([
          `${table.rows} rows`,
          table.seedSeconds === undefined ? 'reused' : `${table.seedSeconds.toFixed(1)} s`,
          page === 'deep' ? `after row ${table.deepOffset}` : 'first',
          cell.reqPerSec.toFixed(0),
          cell.latencyMs.mean.toFixed(2),
          String(cell.latencyMs.p50),
          String(cell.latencyMs.p99),
          String(cell.errors),
        ]);
      }
    }
    out.push(`\nList page latency, service, ${list.connections} connections`, textTable(rows));
    for (const table of [list.small, list.large]) {
      for (const page of ['first', 'deep'] as const) {
        out.push(
          `EXPLAIN ANALYZE, ${page} page, ${table.rows} rows:`,
          ...table.plans[page].filter((line) => !/Buffers:|^Planning:$/.test(line.trim())).map((line) => `  ${line}`),
        );
      }
    }
  }
  out.push(
    '\nTargets',
    textTable([
      ['target', 'goal', 'measured', 'met'],
      ...results.checks.map((c) => [c.name, c.goal, c.measured, c.pass ? 'yes' : 'NO']),
    ]),
  );
  out.push('\nMarkdown for bench/README.md:\n', markdown(results));
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  for (const script of [...Object.values(SCRIPTS), COMPILE_CACHE_SCRIPT]) {
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
  }
  ensureWrk(progress);
  const pinned = decidePinning(!options.unpinned);
  progress(
    pinned
      ? `servers pinned to CPU ${pinned.serverCpu}, wrk to CPU ${pinned.clientCpu} (--unpinned to let the kernel place them)`
      : 'servers and wrk unpinned',
  );
  const node = resolveNode(options.node, progress);
  await bench(options, node);
  progress('done');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
