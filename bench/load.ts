// Drives one server with one workload at one concurrency (autocannon, in this process) and sums up the cell.
import autocannon from 'autocannon';
import type { RunningServer } from './processes';
import { cannonRequests, type Workload } from './workloads';

export interface CellResult {
  target: string;
  workload: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Responses with a status the workload does not expect (all non-2xx among them) plus socket errors and timeouts. */
  errors: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Statuses outside the workload's expected ones (e.g. a 409 on create). */
  unexpected: Record<string, number>;
  /** Server process CPU (user + system) per request, in microseconds: a figure the machine's noise moves less. */
  cpuMicrosPerRequest: number;
  /** Server CPU use over the cell, in cores (1.0 = one core busy all the time). */
  cpuCores: number;
  /** Largest sampled RSS during the cell and the process's lifetime peak (VmHWM) at its end, in MB. */
  rssMB: { max: number; peak: number };
}

export interface CellOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

async function fire(url: string, workload: Workload, connections: number, seconds: number) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 10,
    requests: cannonRequests(workload),
  });
}

export async function runCell(server: RunningServer, workload: Workload, options: CellOptions): Promise<CellResult> {
  if (options.warmupSeconds > 0) {
    await Promise.race([fire(server.url, workload, options.connections, options.warmupSeconds), server.died]);
  }
  let maxRss = server.memory().rssMB;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, server.memory().rssMB);
  }, 200);
  const cpuBefore = server.cpuMs();
  try {
    const result = await Promise.race([
      fire(server.url, workload, options.connections, options.durationSeconds),
      server.died,
    ]);
    const cpuMs = server.cpuMs() - cpuBefore;
    const memory = server.memory();
    const statusCodes: Record<string, number> = {};
    const unexpected: Record<string, number> = {};
    for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
      statusCodes[code] = stat.count ?? 0;
      if (!workload.expect.includes(Number(code))) unexpected[code] = stat.count ?? 0;
    }
    const requests = result.requests.total;
    return {
      target: server.name,
      workload: workload.name,
      connections: options.connections,
      durationSeconds: result.duration,
      requests,
      reqPerSec: requests / result.duration,
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
        mean: result.latency.mean,
      },
      errors: result.errors + Object.values(unexpected).reduce((sum, count) => sum + count, 0),
      non2xx: result.non2xx,
      socketErrors: result.errors - result.timeouts,
      timeouts: result.timeouts,
      statusCodes,
      unexpected,
      cpuMicrosPerRequest: requests > 0 ? (cpuMs * 1000) / requests : NaN,
      cpuCores: cpuMs / 1000 / result.duration,
      rssMB: { max: Math.max(maxRss, memory.rssMB), peak: memory.peakRssMB },
    };
  } finally {
    clearInterval(sampler);
  }
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
export async function probeWorkload(server: RunningServer, workload: Workload, times = 3): Promise<string> {
  let shape = '';
  for (let i = 0; i < times; i++) {
    const spec = workload.next();
    const response = await fetch(`${server.url}${spec.path}`, {
      method: spec.method,
      body: spec.body,
      headers: spec.body ? { 'content-type': 'application/json' } : undefined,
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
