// `npm run bench -- --perf`: where each request's CPU time goes, in the service and in the baseline, as µs a request
// by kind (kernel, garbage collector, V8, Node's C++, JavaScript by module) and by symbol, side by side. Linux `perf`
// samples CPU time (the cpu-clock event), where V8's --cpu-prof samples wall-clock time and charges a process
// preempted in a system call to that call; node's --perf-basic-prof names the JIT's code. The difference between the
// two servers, symbol by symbol, is what the service's features and shape cost.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { restoreSeededTable, serverVersion } from './database';
import { aptInstall } from './debian';
import { probeWorkload, runCell, type CellOptions, type CellResult } from './load';
import type { NodeRuntime } from './node-runtime';
import type { BenchOptions } from './options';
import { headersFor, ROOT, startServer, withApiKey, type RunningServer, type ServerSpec } from './processes';
import { resultsHeader, textTable, writeResults } from './report';
import { prepareServerPair } from './server-pair';
import { moduleOf } from './source-modules';
import type { Workload } from './workloads';

const DATABASE = 'usersvc_bench_perf';
const DEFAULT_WORKLOADS = ['getById', 'create'];
/** Samples per second of CPU time (one every 250 µs): tens of thousands per server in a few rounds of 5 s. */
const FREQUENCY = 4000;

export interface PerfSample {
  /** perf's dso column: `node`, `[kernel.kallsyms]`, `[JIT] tid 123`, `libc.so.6`... */
  dso: string;
  symbol: string;
  samples: number;
}

/** Rows of `perf report --no-children --sort dso,sym -n --stdio -t '\t'`: share, samples, dso, `[.] symbol`. */
export function parsePerfReport(text: string): PerfSample[] {
  const rows: PerfSample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [, samples, dso, symbol] = line.split('\t').map((field) => field.trim());
    if (samples === undefined || dso === undefined || symbol === undefined || !/^\d+$/.test(samples)) continue;
    rows.push({ dso, symbol: symbol.replace(/^\[[.k]\]\s*/, ''), samples: Number(samples) });
  }
  return rows;
}

/** A JIT frame's name as --perf-basic-prof writes it: `JS:*'name file:line:column` (the marks give its tier). */
const JIT_FRAME = /^(?:JS|LazyCompile|Function):[~^+*]?'?(.*?) (\S+):(\d+):\d+$/;

/**
 * What kind of work a symbol is: the kernel's, the garbage collector's, V8's, Node's C++, the C library's, or
 * JavaScript, named by the module it came from (the bundled service's lines mapped back to their source modules, so
 * that `pg/lib/client.js` is one name for both servers). Inlined functions count as the function they were inlined
 * into, and code still in V8's interpreter counts as the interpreter's builtins.
 */
export function kindOf(sample: Pick<PerfSample, 'dso' | 'symbol'>, bundles: Map<string, string[]>): string {
  const { dso, symbol } = sample;
  if (dso.startsWith('[kernel')) return 'kernel (TCP, system calls, scheduling)';
  if (dso.startsWith('[JIT]')) {
    // Node 20 names them `RegExp:<source>`, Node 24 `RegExp.> src: '<source>' flags: ''`.
    if (/^RegExp[:.]/.test(symbol)) return 'RegExp (compiled patterns)';
    const frame = jitFrame(symbol, bundles);
    return frame ? `JS: ${frame.module}` : 'JS: (unnamed JIT code)';
  }
  if (/^lib(c|m|stdc\+\+|gcc_s|pthread)[.-]/.test(dso) || dso === '[vdso]') return 'C library (malloc, memcpy, clock)';
  if (/Heap|Scavenge|MarkCompact|Sweeper|Marking|Evacuat|Minor|RememberedSet|GCTracer/.test(symbol)) {
    return 'V8 garbage collector';
  }
  if (symbol.startsWith('Builtins_')) return 'V8 builtins (ICs, promises, strings, RegExp, JSON)';
  if (symbol.startsWith('v8::') || symbol.startsWith('v8_')) return 'V8 runtime and compilers';
  if (symbol.startsWith('node::') || /^(llhttp|simdutf|uv_|uv__|ada::|nghttp)/.test(symbol)) {
    return "Node's C++ (HTTP parser, streams, buffers, libuv)";
  }
  return `other (${dso})`;
}

/** A JIT frame's function and source module, the same names for bundled and unbundled code; undefined if unnamed. */
function jitFrame(symbol: string, bundles: Map<string, string[]>) {
  const frame = JIT_FRAME.exec(symbol);
  if (!frame) return undefined;
  return { name: frame[1] || '(anonymous)', module: moduleOf(frame[2] as string, Number(frame[3]) - 1, bundles) };
}

/** A symbol's name in the tables: a JIT frame as `function (module)`, whatever its tier, thread or bundle line. */
export function labelOf(sample: Pick<PerfSample, 'dso' | 'symbol'>, bundles: Map<string, string[]>): string {
  if (!sample.dso.startsWith('[JIT]')) return sample.symbol;
  const frame = jitFrame(sample.symbol, bundles);
  return frame ? `${frame.name} (${frame.module})` : sample.symbol;
}

export interface CpuBreakdown {
  cpuMicrosPerRequest: number;
  samples: number;
  byKind: Map<string, number>;
  bySymbol: Map<string, number>;
}

/**
 * µs a request by kind and by symbol: each one's share of the samples times the CPU µs a request the cell measured
 * from /proc. A share is steadier than a count: perf's window and wrk's are a few milliseconds apart.
 */
export function breakdown(samples: readonly PerfSample[], cpuMicrosPerRequest: number, bundles: Map<string, string[]>) {
  const total = samples.reduce((sum, s) => sum + s.samples, 0);
  const byKind = new Map<string, number>();
  const bySymbol = new Map<string, number>();
  for (const sample of samples) {
    const micros = total > 0 ? (sample.samples / total) * cpuMicrosPerRequest : 0;
    const kind = kindOf(sample, bundles);
    byKind.set(kind, (byKind.get(kind) ?? 0) + micros);
    const label = labelOf(sample, bundles);
    bySymbol.set(label, (bySymbol.get(label) ?? 0) + micros);
  }
  return { cpuMicrosPerRequest, samples: total, byKind, bySymbol } satisfies CpuBreakdown;
}

/** /tmp and the results may be on different filesystems: a copy, then the original removed. */
function renameOrCopy(from: string, to: string): void {
  copyFileSync(from, to);
  rmSync(from, { force: true });
}

let perfChecked = false;

/** perf must exist and be allowed to sample another process; installs Debian's linux-perf when it is missing. */
function ensurePerf(progress: (line: string) => void): void {
  if (perfChecked) return;
  const works = () => {
    try {
      execFileSync('perf', ['record', '-q', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!works()) {
    progress("perf is missing or cannot record: installing Debian's linux-perf (apt-get install -y linux-perf)");
    try {
      aptInstall('linux-perf');
    } catch (error) {
      throw new Error(`--perf needs Linux perf and could not install it: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!works()) {
      throw new Error(
        '--perf: `perf record -e cpu-clock` fails here. It needs Linux, and root or kernel.perf_event_paranoid <= 1 ' +
          '(sysctl kernel.perf_event_paranoid=1).',
      );
    }
  }
  perfChecked = true;
}

/** One cell of load with perf recording the server: its figures and the samples perf took during it. */
async function recordCell(server: RunningServer, workload: Workload, cellOptions: CellOptions, file: string) {
  const perf = spawn(
    'perf',
    ['record', '-q', '-e', 'cpu-clock', '-F', String(FREQUENCY), '-p', String(server.pid), '-o', file],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise((resolve) => perf.once('exit', resolve));
  let cell: CellResult;
  try {
    cell = await runCell(server, workload, { ...cellOptions, warmupSeconds: 0 });
  } finally {
    perf.kill('SIGINT'); // perf writes its file and exits on SIGINT
    await exited;
  }
  const report = execFileSync(
    'perf',
    ['report', '-i', file, '--no-children', '--sort', 'dso,sym', '-n', '--stdio', '-t', '\t'],
    { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return { cell, samples: parsePerfReport(report) };
}

/** What a server's rounds add up to: all their samples, and its CPU and requests over all of them. */
interface Recorded {
  samples: PerfSample[];
  cpuMs: number;
  requests: number;
  errors: number;
}

/**
 * Both servers under one workload in alternating rounds (the order turned every round, as the main bench does), perf
 * recording each round: one cell each would be one draw from a VM whose speed moves by a third from one cell to the
 * next. An API-key workload starts the service with the key and sends it; the baseline ignores the header.
 */
async function recordWorkload(
  specs: readonly ServerSpec[],
  workload: Workload,
  cellOptions: CellOptions,
  rounds: number,
  dir: string,
  afterWrites: () => Promise<unknown>,
) {
  const options = { ...cellOptions, headers: headersFor(workload, cellOptions.headers) };
  const servers: RunningServer[] = [];
  const recorded = new Map<RunningServer, Recorded>();
  try {
    for (const spec of specs) {
      const server = await startServer({
        ...(workload.apiKey ? withApiKey(spec) : spec),
        nodeArgs: [...(spec.nodeArgs ?? []), '--perf-basic-prof'],
      });
      servers.push(server);
      recorded.set(server, { samples: [], cpuMs: 0, requests: 0, errors: 0 });
      await probeWorkload(server, workload, options.headers);
      await runCell(server, workload, { ...options, durationSeconds: options.warmupSeconds, warmupSeconds: 0 });
      if (workload.writes) await afterWrites();
    }
    for (let round = 0; round < rounds; round++) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const file = path.join(dir, `${workload.name}-${server.name}-${round + 1}.perf.data`);
        const { cell, samples } = await recordCell(server, workload, options, file);
        const sum = recorded.get(server) as Recorded;
        sum.samples.push(...samples);
        sum.cpuMs += (cell.cpuMicrosPerRequest * cell.requests) / 1000;
        sum.requests += cell.requests;
        sum.errors += cell.errors;
        if (workload.writes) await afterWrites();
      }
    }
  } finally {
    for (const server of servers) {
      await server.stop();
      // Kept beside the recordings (perf report looks for it in /tmp), so that the JIT's frames stay named.
      const symbolMap = `/tmp/perf-${server.pid}.map`;
      if (existsSync(symbolMap)) renameOrCopy(symbolMap, path.join(dir, path.basename(symbolMap)));
    }
  }
  return servers.map((server) => ({ name: server.name, ...(recorded.get(server) as Recorded) }));
}

const micros = (value: number | undefined) => (value ?? 0).toFixed(2);

/** Rows of both servers' figures, the largest difference first. */
function sideBySide(service: Map<string, number>, baseline: Map<string, number>, count: number): string[][] {
  return [...new Set([...service.keys(), ...baseline.keys()])]
    .map((name) => ({ name, service: service.get(name) ?? 0, baseline: baseline.get(name) ?? 0 }))
    .sort((a, b) => b.service - b.baseline - (a.service - a.baseline))
    .slice(0, count)
    .map((r) => [r.name, micros(r.service), micros(r.baseline), micros(r.service - r.baseline)]);
}

export async function runPerf(options: BenchOptions, node: NodeRuntime, progress: (line: string) => void) {
  ensurePerf(progress);
  const { startedAt, url, workloads, specs, cellOptions, dir, bundles } = await prepareServerPair(options, node, {
    database: DATABASE,
    defaultWorkloads: DEFAULT_WORKLOADS,
    resultsPrefix: 'perf-',
    apiKey: true,
  });

  const rows = [];
  for (const workload of workloads) {
    progress(
      `perf record of the service and the baseline under ${workload.name} at ${cellOptions.connections} ` +
        `connections, ${options.rounds} alternating rounds of ${options.durationSeconds} s`,
    );
    const measured: Record<string, CpuBreakdown & { requests: number }> = {};
    const servers = await recordWorkload(specs, workload, cellOptions, options.rounds, dir, () =>
      restoreSeededTable(url),
    );
    for (const server of servers) {
      if (server.errors > 0) throw new Error(`${server.name} answered ${server.errors} errors under ${workload.name}`);
      const cpuMicrosPerRequest = (server.cpuMs * 1000) / server.requests;
      measured[server.name] = { ...breakdown(server.samples, cpuMicrosPerRequest, bundles), requests: server.requests };
    }
    const { service, baseline } = measured;
    if (!service || !baseline) continue;
    rows.push({ workload: workload.name, service, baseline });
    const header = ['service µs/req', 'baseline µs/req', 'difference'];
    process.stdout.write(
      `\nCPU time a request under ${workload.name}, ${cellOptions.connections} connections, Node ${node.version}: ` +
        `service ${micros(service.cpuMicrosPerRequest)} µs, baseline ${micros(baseline.cpuMicrosPerRequest)} µs ` +
        `(${(service.cpuMicrosPerRequest / baseline.cpuMicrosPerRequest).toFixed(2)}×; ${service.samples} and ` +
        `${baseline.samples} samples, ${service.requests} and ${baseline.requests} requests)\n` +
        textTable([
          ['kind (the largest difference first)', ...header],
          ...sideBySide(service.byKind, baseline.byKind, 40),
        ]) +
        '\n\n' +
        textTable([
          ['symbol (the largest difference first)', ...header],
          ...sideBySide(service.bySymbol, baseline.bySymbol, 30),
        ]) +
        '\n',
    );
  }
  const results = writeResults(
    {
      ...resultsHeader('perf', startedAt, node.version, await serverVersion(options.databaseUrl), options),
      connections: cellOptions.connections,
      rows: rows.map(({ workload, service, baseline }) => ({
        workload,
        ...Object.fromEntries(
          Object.entries({ service, baseline }).map(([name, b]) => [
            name,
            {
              cpuMicrosPerRequest: b.cpuMicrosPerRequest,
              samples: b.samples,
              requests: b.requests,
              byKind: Object.fromEntries(b.byKind),
              bySymbol: Object.fromEntries([...b.bySymbol].filter(([, us]) => us >= 0.01)),
            },
          ]),
        ),
      })),
    },
    'perf-',
  );
  process.stdout.write(`\nraw figures: ${path.relative(ROOT, results)} (and bench/results/perf-latest.json)\n`);
}
