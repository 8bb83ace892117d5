// Drives one server with one workload at one concurrency and sums up the cell. The load generator is Debian's wrk
// (one thread, about a tenth of a core at these rates) in its own process, so it does not take a core from the server
// or PostgreSQL as an in-process generator does; its CPU is measured in every cell (see clientOverLimit).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { aptInstall } from './debian';
import { onCpu, pinning } from './cpus';
import type { RunningServer } from './processes';
import { wrkScript, type Workload, type WorkloadData } from './workloads';

const run = promisify(execFile);

const CLOCK_TICKS_PER_SECOND = 100;

export interface CellResult {
  target: string;
  workload: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  reqPerSec: number;
  /** Latency in milliseconds (wrk measures in microseconds). */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Responses with a status of 400 or more, plus socket errors and timeouts. */
  errors: number;
  statusErrors: number;
  socketErrors: number;
  timeouts: number;
  /** Server process CPU (user + system) per request, in microseconds: a figure the machine's noise moves less. */
  cpuMicrosPerRequest: number;
  /** Server CPU use over the cell, in cores (1.0 = one core busy all the time). */
  cpuCores: number;
  /** Requests answered per CPU second of the server process (Knative sizes pods by CPU). */
  reqPerCpuSecond: number;
  /** CPU the load generator used over the cell, in cores. */
  clientCores: number;
  /** Largest sampled RSS during the cell and the process's lifetime peak (VmHWM) at its end, in MB. */
  rssMB: { max: number; peak: number };
}

/**
 * Unmeasured load a fresh server gets before its first measured cell: until V8 has compiled its hot paths and its heap
 * has grown, a server's CPU a request is well above its steady state (bench/README.md, Findings).
 */
export const STEADY_STATE_SECONDS = 10;

export interface CellOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** What the Lua generators need: ids, seed rows, cursor. */
  data: WorkloadData;
  /** Headers on every request besides the workload's own. */
  headers: Record<string, string>;
}

interface WrkResult {
  requests: number;
  durationMicros: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  cpuTicks: number;
}

let wrkChecked = false;

/** wrk on the PATH, installed from Debian's archive when missing; a clear error when that is not possible. */
export function ensureWrk(progress: (line: string) => void): void {
  if (wrkChecked) return;
  const found = () => {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' });
      return true;
    } catch (error) {
      // wrk --version exits 1 after printing its version; only a missing binary is ENOENT.
      return (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  };
  if (!found()) {
    progress("wrk is not installed: installing Debian's wrk (apt-get install -y wrk)");
    try {
      aptInstall('wrk');
    } catch (error) {
      throw new Error(
        `the bench needs wrk (its load generator) and could not install it: ${(error as Error).message}\n` +
          'Install it yourself (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk) and run the bench again.',
        { cause: error },
      );
    }
    if (!found()) throw new Error('apt-get installed wrk but it is not on the PATH');
  }
  wrkChecked = true;
}

let cellCounter = 0;
const runTag = Date.now().toString(36);

/** One wrk run: its figures, parsed from the line the script's done() prints. */
async function fire(url: string, workload: Workload, connections: number, seconds: number, options: CellOptions) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'usersvc-wrk-'));
  try {
    const script = path.join(dir, `${workload.name}.lua`);
    writeFileSync(
      script,
      wrkScript(workload, options.data, { uniqueTag: `${runTag}c${++cellCounter}`, headers: options.headers }),
    );
    const [command, args] = onCpu(pinning()?.clientCpu, 'wrk', [
      '-t1',
      `-c${connections}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      url,
    ]);
    const { stdout } = await run(command, args, { maxBuffer: 1 << 20 });
    const line = stdout.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
    return JSON.parse(line.slice('WRK_RESULT '.length)) as WrkResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runCell(server: RunningServer, workload: Workload, options: CellOptions): Promise<CellResult> {
  if (options.warmupSeconds > 0) {
    await Promise.race([fire(server.url, workload, options.connections, options.warmupSeconds, options), server.died]);
  }
  let maxRss = server.memory().rssMB;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, server.memory().rssMB);
  }, 200);
  const cpuBefore = server.cpuMs();
  try {
    const result = await Promise.race([
      fire(server.url, workload, options.connections, options.durationSeconds, options),
      server.died,
    ]);
    const cpuMs = server.cpuMs() - cpuBefore;
    const memory = server.memory();
    const duration = result.durationMicros / 1e6;
    const clientCores = result.cpuTicks / CLOCK_TICKS_PER_SECOND / duration;
    const requests = result.requests;
    const socketErrors = result.connect + result.read + result.write;
    const ms = (micros: number) => micros / 1000;
    return {
      target: server.name,
      workload: workload.name,
      connections: options.connections,
      durationSeconds: duration,
      requests,
      reqPerSec: requests / duration,
      latencyMs: {
        p50: ms(result.p50),
        p90: ms(result.p90),
        p99: ms(result.p99),
        max: ms(result.max),
        mean: ms(result.mean),
      },
      errors: result.status + socketErrors + result.timeout,
      statusErrors: result.status,
      socketErrors,
      timeouts: result.timeout,
      cpuMicrosPerRequest: requests > 0 ? (cpuMs * 1000) / requests : NaN,
      cpuCores: cpuMs / 1000 / duration,
      reqPerCpuSecond: cpuMs > 0 ? requests / (cpuMs / 1000) : NaN,
      clientCores,
      rssMB: { max: Math.max(maxRss, memory.rssMB), peak: memory.peakRssMB },
    };
  } finally {
    clearInterval(sampler);
  }
}

/** The cells whose load generator used more than `maxCores`: their figures are void, and the bench fails. */
export function clientOverLimit(cells: readonly CellResult[], maxCores: number): CellResult[] {
  return cells.filter((cell) => !(cell.clientCores <= maxCores));
}

/** The shape of a JSON answer (its keys, and the keys of data[0] for a page), to compare two servers' answers. */
function shapeOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return typeof body;
  const keys = Object.keys(body).sort().join(',');
  const data = (body as { data?: unknown }).data;
  return Array.isArray(data) && data.length > 0 ? `${keys} data[${shapeOf(data[0])}]` : keys;
}

/**
 * Sends a few of the workload's requests before measuring: each must get an expected status, and the answers'
 * shape is returned so the caller can check that the service and the baseline do the same work.
 */
export async function probeWorkload(
  server: RunningServer,
  workload: Workload,
  headers: Record<string, string> = {},
  times = 3,
): Promise<string> {
  let shape = '';
  for (let i = 0; i < times; i++) {
    const spec = workload.next();
    const response = await fetch(`${server.url}${spec.path}`, {
      method: spec.method,
      body: spec.body,
      headers: { ...headers, ...(spec.body ? { 'content-type': 'application/json' } : {}) },
    });
    const text = await response.text();
    if (!workload.expect.includes(response.status)) {
      throw new Error(`${server.name} ${spec.method} ${spec.path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    // The mix answers different routes; its shape is not compared.
    shape = workload.name === 'mix' ? 'mixed' : shapeOf(JSON.parse(text));
  }
  return shape;
}
