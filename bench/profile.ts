// `npm run bench -- --profile`: where the service's per-request CPU goes. Runs the production entrypoint under
// node --cpu-prof with one cell of load per workload, then summarises the samples taken during the load: self time
// per function, self and inclusive time per package. Keeps the .cpuprofile files (Chrome DevTools opens them).
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { restoreSeededTable, seededBenchDatabase, serverVersion } from './database';
import { probeWorkload, runCell, STEADY_STATE_SECONDS, type CellOptions, type CellResult } from './load';
import type { BenchOptions } from './options';
import type { NodeRuntime } from './node-runtime';
import {
  headersFor,
  PLATFORM_HEADERS,
  ROOT,
  SCRIPTS,
  serverEnv,
  startServer,
  withApiKey,
  type ServerSpec,
} from './processes';
import { RESULTS_DIR, resultsHeader, textTable, writeResults } from './report';
import { createWorkloads, type Workload } from './workloads';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the system's monotonic clock, the one process.hrtime reads. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) samples. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  /** Whether only samples inside the given time window were counted (false: the whole process lifetime). */
  windowed: boolean;
  topFunctions: ProfileEntry[];
  /** Where the CPU was spent: the package (or node core area) of the function on top of the stack. */
  selfByPackage: ProfileEntry[];
  /** How much time had the package anywhere on the stack (a caller's share includes what it called). */
  inclusiveByPackage: ProfileEntry[];
}

/** A readable owner for a script URL: an npm package, a node core area, our own file, or a V8 pseudo-frame. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native: JSON, RegExp, builtins)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) {
    const module = url.slice('node:'.length);
    if (/async_hooks|domain|promise_hooks/.test(module)) return 'node:domain + async hooks';
    if (/^internal\/modules\//.test(module)) return 'node:module loading';
    if (/^internal\/streams\//.test(module)) return 'node:streams';
    return `node:${module.replace(/^internal\//, '')}`;
  }
  const dist = url.indexOf('/dist/');
  return dist === -1 ? url : `usersvc ${url.slice(dist + 1).replace(/\/[^/]+$/, '/')}`;
}

const shortUrl = (url: string) => {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  return dist === -1 ? url : url.slice(dist + 1);
};

function top(map: Map<string, number>, busyMs: number, count: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: busyMs > 0 ? (ms / busyMs) * 100 : 0 }));
}

/**
 * Summarises the samples taken inside `window` ([start, end] in microseconds of process.hrtime), so that start-up
 * and shutdown do not count; without a window, or if it misses the profile, every sample counts.
 */
export function summariseProfile(file: string, window?: [number, number], topCount = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const stamps: number[] = [];
  let clock = profile.startTime;
  for (const delta of profile.timeDeltas) stamps.push((clock += delta));
  const windowed = window !== undefined && stamps.some((t) => t >= window[0] && t <= window[1]);
  const inWindow = (index: number) =>
    !windowed || !window || ((stamps[index] ?? 0) >= window[0] && (stamps[index] ?? 0) <= window[1]);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const inclusiveByPackage = new Map<string, number>();
  let busyMs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node || !inWindow(index)) return;
    const ms = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') return;
    busyMs += ms;
    const label = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    selfByFunction.set(label, (selfByFunction.get(label) ?? 0) + ms);
    const owner = packageOf(url, functionName);
    selfByPackage.set(owner, (selfByPackage.get(owner) ?? 0) + ms);
    // Count each package once per sample, however many of its frames are on the stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at);
      if (!frame || frame.callFrame.functionName === '(root)') continue;
      seen.add(packageOf(frame.callFrame.url, frame.callFrame.functionName));
    }
    for (const name of seen) inclusiveByPackage.set(name, (inclusiveByPackage.get(name) ?? 0) + ms);
  });

  return {
    busyMs: Math.round(busyMs),
    windowed,
    topFunctions: top(selfByFunction, busyMs, topCount),
    selfByPackage: top(selfByPackage, busyMs, topCount),
    inclusiveByPackage: top(inclusiveByPackage, busyMs, topCount),
  };
}

const DATABASE = 'usersvc_bench_profile';
const DEFAULT_WORKLOADS = ['getById'];

interface Profiled {
  workload: string;
  /** The .cpuprofile, relative to the project root. */
  file?: string;
  cell: CellResult;
  summary?: ProfileSummary;
}

/** Runs one cell against the server started with --cpu-prof; counts only the samples taken during that cell. */
async function profileUnder(spec: ServerSpec, workload: Workload, cellOptions: CellOptions, dir: string) {
  mkdirSync(dir, { recursive: true });
  const server = await startServer({
    ...spec,
    name: `${spec.name} --cpu-prof`,
    nodeArgs: [...(spec.nodeArgs ?? []), '--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  let cell: CellResult;
  let window: [number, number];
  try {
    await probeWorkload(server, workload, cellOptions.headers);
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
    workload: workload.name,
    file: file && path.relative(ROOT, path.join(dir, file)),
    cell,
    summary: file ? summariseProfile(path.join(dir, file), window) : undefined,
  };
}

const entryTable = (title: string, entries: ProfileEntry[]) =>
  `\n${title}\n${textTable([['ms', '%', 'name'], ...entries.map((e) => [String(e.ms), e.percent.toFixed(1), e.name])])}\n`;

export async function runProfile(
  options: BenchOptions,
  node: NodeRuntime,
  progress: (line: string) => void,
): Promise<void> {
  const startedAt = new Date().toISOString();
  const { url, data } = await seededBenchDatabase(options.databaseUrl, DATABASE, options.seedRows);
  const all = createWorkloads(data);
  const names = options.workloads.length ? options.workloads : DEFAULT_WORKLOADS;
  const workloads = all.filter((w) => names.includes(w.name));
  if (workloads.length !== names.length) throw new Error(`unknown workloads among ${names.join(', ')}`);
  const spec: ServerSpec = {
    name: 'service',
    script: SCRIPTS.service,
    env: serverEnv(url, options.poolMax),
    node: node.execPath,
  };
  const cellOptions: CellOptions = {
    connections: options.profileConnections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: STEADY_STATE_SECONDS,
    data,
    headers: PLATFORM_HEADERS,
  };
  const dir = path.join(RESULTS_DIR, `cpuprofile-${startedAt.replace(/[:.]/g, '-')}`);

  const profiles: Profiled[] = [];
  for (const workload of workloads) {
    progress(`profiling the service under ${workload.name} at ${cellOptions.connections} connections`);
    const workloadSpec = workload.apiKey ? withApiKey(spec) : spec;
    const workloadOptions = { ...cellOptions, headers: headersFor(workload, cellOptions.headers) };
    profiles.push(await profileUnder(workloadSpec, workload, workloadOptions, path.join(dir, workload.name)));
    if (workload.writes) await restoreSeededTable(url);
  }

  for (const { workload, file, cell, summary } of profiles) {
    if (!summary) {
      process.stdout.write(`\nno CPU profile was written for ${workload}\n`);
      continue;
    }
    process.stdout.write(
      `\nCPU profile: service under ${workload}, ${cell.connections} connections: ${cell.reqPerSec.toFixed(0)} req/s, ` +
        `${cell.cpuMicrosPerRequest.toFixed(0)} µs CPU/req, wrk ${cell.clientCores.toFixed(2)} cores; ${summary.busyMs} ms busy` +
        `${summary.windowed ? ' during the load' : ', whole process incl. start-up'} (${file})` +
        entryTable(
          'Self time by package or node core module (the frame on top of the stack)',
          summary.selfByPackage.slice(0, 15),
        ) +
        entryTable('Inclusive time by package (anywhere on the stack)', summary.inclusiveByPackage.slice(0, 15)) +
        entryTable('Top functions by self time', summary.topFunctions.slice(0, 20)),
    );
  }
  process.stdout.write(
    '\nNote: V8 samples wall-clock time. On a busy machine a process that is preempted inside a system call is\n' +
      'charged to that call (writev: the response write wakes the load generator, which takes the CPU), so writev\n' +
      'and "(native ...)" overstate real work. CPU µs/req comes from /proc and is the cost measure.\n',
  );
  const results = writeResults(
    {
      ...resultsHeader('profile', startedAt, node.version, await serverVersion(options.databaseUrl), options),
      profiles: profiles.map(({ cell, ...rest }) => ({
        reqPerSec: cell.reqPerSec,
        cpuMicrosPerRequest: cell.cpuMicrosPerRequest,
        ...rest,
      })),
    },
    'profile-',
  );
  process.stdout.write(`\nraw figures: ${path.relative(ROOT, results)} (and bench/results/profile-latest.json)\n`);
}
