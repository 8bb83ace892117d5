// Starts the servers under test as child processes and reads their CPU time and memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import path from 'node:path';
import { freePort } from '../scripts/local-port';
import { onCpu, pinning } from './cpus';
import type { BearerAlgorithm, Workload } from './workloads';

export const ROOT = path.resolve(__dirname, '../..');

/** What each target runs: the production entrypoint and the bare baseline. */
export const SCRIPTS = {
  service: path.join(ROOT, 'dist/functions/main.js'),
  baseline: path.join(ROOT, 'dist/bench/baseline.js'),
} as const;

export interface ServerSpec {
  /** A label for tables and errors, e.g. "service". */
  name: string;
  script: string;
  env: Record<string, string>;
  /** Node flags before the script, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** The node binary (default: the one running the bench); `--node=24` gives Node 24's. */
  node?: string;
}

export interface RunningServer {
  name: string;
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 from /ready. */
  readyMs: number;
  /** User + system CPU milliseconds the process has used so far. */
  cpuMs(): number;
  /** Current and peak (high-water mark) resident set size in MB (10^6 bytes). */
  memory(): { rssMB: number; peakRssMB: number };
  stop(): Promise<number | null>;
  /** Rejects if the process exits before stop() is called. */
  died: Promise<never>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One GET /ready on a fresh connection; false while the port refuses connections or the answer is not 200. */
function isReady(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(`${url}/ready`, { agent: false, timeout: 2000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

// Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build.
const CLOCK_TICKS_PER_SECOND = 100;

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function memoryOf(pid: number): { rssMB: number; peakRssMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  // /proc says "kB" but means KiB.
  const mb = (pattern: RegExp) => (Number(pattern.exec(status)?.[1] ?? NaN) * 1024) / 1e6;
  return { rssMB: mb(/^VmRSS:\s+(\d+) kB/m), peakRssMB: mb(/^VmHWM:\s+(\d+) kB/m) };
}

/**
 * Spawns the server on a free port with stdout to /dev/null (a container runtime drains it; a pipe read here
 * would cost this process CPU that the load generator needs) and resolves once /ready answers 200.
 */
export async function startServer(spec: ServerSpec, timeoutMs = 30_000): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(spec, await freePort(), timeoutMs);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !/EADDRINUSE/.test(error.message)) throw error;
    }
  }
}

async function startOnce(spec: ServerSpec, port: number, timeoutMs: number): Promise<RunningServer> {
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // taskset execs node, so the child's pid is node's.
  const [command, args] = onCpu(pinning()?.serverCpu, spec.node ?? process.execPath, [
    ...(spec.nodeArgs ?? []),
    spec.script,
  ]);
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    env: { ...spec.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString();
  });
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const died = exited.then((code): never => {
    throw new Error(`${spec.name} exited with ${code}${stopping ? ' while stopping' : ''}:\n${stderr}`);
  });
  died.catch(() => undefined); // observed by whoever races it; never an unhandled rejection

  let readyMs: number | undefined;
  while (readyMs === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) await died;
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} was not ready within ${timeoutMs} ms:\n${stderr}`);
    }
    if (await isReady(url)) readyMs = performance.now() - started;
    else await sleep(2);
  }

  const pid = child.pid as number;
  return {
    name: spec.name,
    url,
    pid,
    readyMs,
    cpuMs: () => cpuMsOf(pid),
    memory: () => memoryOf(pid),
    died,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Environment for a server under test: explicit, so nothing from the caller's shell (API_KEY...) leaks in. It is the
 * production configuration as Knative runs it: JSON lines at info, the project set (so each line carries the trace
 * fields), the service and revision (Error Reporting's serviceContext, the lines' labels), the image's V8 setting,
 * and the image's compile cache (`compileCache`: the folder bench/compile-cache.ts filled as the image build does).
 */
export function serverEnv(
  databaseUrl: string,
  poolMax: number,
  extra: Record<string, string> = {},
  compileCache?: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    DB_POOL_MAX: String(poolMax),
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    GOOGLE_CLOUD_PROJECT: 'usersvc-bench',
    K_SERVICE: 'usersvc',
    K_REVISION: 'usersvc-bench-00001',
    // The image's V8 setting (Dockerfile ENV), for the service and the baseline alike.
    NODE_OPTIONS: '--max-semi-space-size=16',
    ...(compileCache ? { NODE_COMPILE_CACHE: compileCache } : {}),
    ...extra,
  };
}

/** The key of the API-key workloads: the service is started with API_KEY, and every request sends it as X-API-Key. */
const BENCH_API_KEY = 'bench-api-key-0123456789abcdef';

/** A server started for the API-key workloads: with API_KEY (the baseline ignores it, as it ignores the header). */
export const withApiKey = (spec: ServerSpec): ServerSpec => ({ ...spec, env: { ...spec.env, API_KEY: BENCH_API_KEY } });

/** Request headers for a workload: the key for an API-key workload, its algorithm's token for a bearer one. */
export function headersFor(
  workload: Pick<Workload, 'apiKey' | 'bearer'>,
  headers: Record<string, string>,
  tokens?: Record<BearerAlgorithm, string>,
): Record<string, string> {
  if (workload.apiKey) return { ...headers, 'X-API-Key': BENCH_API_KEY };
  if (!workload.bearer) return headers;
  const token = tokens?.[workload.bearer];
  if (!token) throw new Error(`no ${workload.bearer} token: the bearer workloads need the bench's issuer`);
  return { ...headers, Authorization: `Bearer ${token}` };
}

/**
 * Headers on every request, as they reach the pod on Knative behind Google's load balancer: a W3C trace context, the
 * four X-Forwarded-For entries TRUSTED_PROXY_HOPS (4) reads, a User-Agent. The request line logs all of them.
 */
export const PLATFORM_HEADERS: Record<string, string> = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'X-Forwarded-For': '203.0.113.7, 130.211.0.10, 35.191.0.20, 10.8.0.5',
  'User-Agent': 'usersvc-bench (wrk)',
};
