// Steady concurrent load for the drain tests: half the workers reuse one keep-alive connection each, half open a
// new connection per request (Connection: close); a mix of GET by id, list, POST create and (when asked) PATCH, each
// with its expected status (requests.ts), and a record of how far every request got (connected, answered, complete)
// for the verdict.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { acknowledgedUser, plan, type AcknowledgedUser, type OperationName, type Planned } from './requests';

export type { AcknowledgedUser, OperationName } from './requests';
export type ConnectionMode = 'keep-alive' | 'close';

export interface Outcome {
  /** Sent as X-Request-ID, so the service's request log says whether it read this request. */
  requestId: string;
  operation: OperationName;
  mode: ConnectionMode;
  /** performance.now() when the request was started and when it settled. */
  startedAt: number;
  endedAt?: number;
  expected: number;
  status?: number;
  /** The response's Connection header (`close` tells a keep-alive client not to reuse the connection). */
  connection?: string;
  /** The client-side error code when the request failed (ECONNREFUSED, ECONNRESET, TIMEOUT, ...). */
  error?: string;
  reusedSocket: boolean;
  /** The TCP connection was established (or an established one was reused). */
  connected: boolean;
  /** A status line arrived. */
  responseStarted: boolean;
  /** The whole body arrived and says what the operation expects (the user asked for, the user created, a page). */
  complete: boolean;
  /** A complete create or patch: the user the API acknowledged writing. */
  acknowledged?: AcknowledgedUser;
}

export interface LoadOptions {
  /** Base URL of the service or of the proxy in front of it. */
  target: string;
  /** Number of concurrent workers, each with its own connection (≥ 2; even indexes keep-alive, odd close). */
  connections: number;
  /** Ids of existing users for GET by id. */
  userIds: readonly string[];
  /** Pause between a worker's requests: steady load that leaves the 2-core machine room for the service. */
  pauseMs: number;
  /** A request that has not settled by then is a failure (TIMEOUT). */
  requestTimeoutMs?: number;
  /** The operations each worker goes round, from a different start each (default: get, create, list, get). */
  cycle?: readonly OperationName[];
}

export interface Load {
  outcomes: Outcome[];
  /** Requests started and not yet settled. */
  inFlight(): Outcome[];
  /** Stops the workers and resolves once every request has settled. */
  stop(): Promise<Outcome[]>;
}

// Two GETs by id, a list and a create in every four requests; workers start at different points of the cycle.
const CYCLE: readonly OperationName[] = ['get', 'create', 'list', 'get'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function send(
  target: URL,
  planned: Planned,
  outcome: Outcome,
  agent: http.Agent | undefined,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (error?: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      if (error) outcome.error = error.code ?? error.message;
      outcome.endedAt = performance.now();
      resolve();
    };
    const headers: Record<string, string | number> = { 'x-request-id': outcome.requestId };
    if (!agent) headers.connection = 'close';
    if (planned.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(planned.body);
    }
    const request = http.request({
      host: target.hostname,
      port: target.port,
      method: planned.method,
      path: planned.path,
      headers,
      agent: agent ?? false,
    });
    request.on('socket', (socket) => {
      outcome.reusedSocket = request.reusedSocket;
      if (socket.connecting) socket.once('connect', () => (outcome.connected = true));
      else outcome.connected = true;
    });
    request.on('response', (response) => {
      outcome.status = response.statusCode;
      outcome.connection = response.headers.connection;
      outcome.responseStarted = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          outcome.complete = planned.check(body);
          if (outcome.complete && planned.method !== 'GET') outcome.acknowledged = acknowledgedUser(body);
        } catch {
          outcome.complete = false;
        }
        settle(outcome.complete ? undefined : Object.assign(new Error('unexpected body'), { code: 'BAD_BODY' }));
      });
      response.on('error', (error) => settle(error));
      // A response cut off mid-body: 'close' without 'end'.
      response.on('close', () => settle(Object.assign(new Error('response aborted'), { code: 'ABORTED' })));
    });
    request.on('error', (error) => settle(error));
    request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.end(planned.body);
  });
}

/** Starts `connections` workers that send requests until stop() is called. */
export function startLoad(options: LoadOptions): Load {
  const target = new URL(options.target);
  const outcomes: Outcome[] = [];
  const open = new Set<Outcome>();
  let stopping = false;
  let sequence = 0;

  async function worker(index: number): Promise<void> {
    const mode: ConnectionMode = index % 2 === 0 ? 'keep-alive' : 'close';
    // One connection per keep-alive worker, as a client with a small pool would hold.
    const agent = mode === 'keep-alive' ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
    const cycle = options.cycle ?? CYCLE;
    const ownIds: string[] = [];
    for (let step = index; !stopping; step++) {
      const unique = `${process.pid}n${index}n${sequence++}`;
      const planned = plan(cycle[step % cycle.length] ?? 'get', options.userIds, ownIds, unique);
      const outcome: Outcome = {
        requestId: `zd-${unique}`,
        operation: planned.operation,
        mode,
        startedAt: performance.now(),
        expected: planned.expected,
        reusedSocket: false,
        connected: false,
        responseStarted: false,
        complete: false,
      };
      outcomes.push(outcome);
      open.add(outcome);
      await send(target, planned, outcome, agent, options.requestTimeoutMs ?? 15_000);
      open.delete(outcome);
      if (outcome.operation === 'create' && outcome.acknowledged) ownIds.push(outcome.acknowledged.id);
      await sleep(options.pauseMs);
    }
    agent?.destroy();
  }

  const workers = Array.from({ length: options.connections }, (_, index) => worker(index));
  return {
    outcomes,
    inFlight: () => [...open],
    async stop() {
      stopping = true;
      await Promise.all(workers);
      return outcomes;
    },
  };
}
