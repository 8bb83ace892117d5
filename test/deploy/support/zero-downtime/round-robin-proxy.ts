// A local stand-in for Kubernetes endpoints plus a load balancer: round-robin over the instances whose /ready
// answers 200, and a retry elsewhere only for requests that cannot have reached an app.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ProxyOptions {
  upstreams: string[];
  /**
   * How often every upstream's /ready is checked. An upstream that answers anything but 200, or refuses the
   * connection, leaves rotation at once: it said it is not ready (a draining instance answers 503).
   */
  healthIntervalMs: number;
  /** A check not answered by then timed out (the kubelet's default timeoutSeconds is 1). */
  checkTimeoutMs?: number;
  /**
   * Consecutive timed-out checks that take an upstream out of rotation (the kubelet's default failureThreshold
   * is 3). A timeout says only that something was slow, on a machine that may be busy with other work too.
   */
  timeoutThreshold?: number;
}

export interface ProxyStats {
  /** Requests answered by an upstream, per upstream URL. */
  forwarded: Record<string, number>;
  /** Attempts sent again to another upstream because the first could not have reached an app. */
  retried: number;
  /** Requests answered by the proxy itself with 502 (upstream failed after it may have read the request). */
  badGateway: number;
  /** Why each 502 was sent: the upstream, the error, and whether the connection was a pooled one. */
  badGatewayCauses: string[];
  /** Requests answered by the proxy itself with 503 (no upstream in rotation). */
  noUpstream: number;
  /** Health checks that got an answer (or an error), per upstream URL. */
  checked: Record<string, number>;
}

export interface RotationChange {
  upstream: string;
  inRotation: boolean;
  /** performance.now() of the health check that changed it. */
  at: number;
  /** What the check got: the status, or the error. */
  answer: string;
}

export interface RoundRobinProxy {
  url: string;
  stats: ProxyStats;
  /** Every time an upstream entered or left rotation. */
  rotation: RotationChange[];
  /** Adds an upstream; it takes traffic once a health check finds it ready, as a new pod does. */
  add(upstream: string): void;
  /** Forgets an upstream (a pod that has exited leaves the endpoints): no more checks, no more traffic. */
  remove(upstream: string): void;
  inRotation(upstream: string): boolean;
  /** Resolves once the upstream is (or is no longer) in rotation. */
  waitForRotation(upstream: string, inRotation: boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

// Hop-by-hop headers belong to one connection and are never forwarded (RFC 9110 section 7.6.1).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function checkReady(upstream: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    // A new connection per check, as the kubelet's probes make.
    const request = http.get(`${upstream}/ready`, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(String(response.statusCode));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
  });
}

type Attempt =
  | { kind: 'answered' }
  /** Failed before the connection was established: not a byte of the request can have reached the upstream. */
  | { kind: 'unsent' }
  /** Failed once bytes may have reached the upstream: the app may have acted on it. */
  | { kind: 'failed-after-send'; cause: string };

export async function startProxy(options: ProxyOptions): Promise<RoundRobinProxy> {
  const ready = new Map<string, boolean>(options.upstreams.map((upstream) => [upstream, false]));
  const stats: ProxyStats = {
    forwarded: {},
    retried: 0,
    badGateway: 0,
    badGatewayCauses: [],
    noUpstream: 0,
    checked: {},
  };
  const rotation: RotationChange[] = [];
  // Pooled keep-alive connections to the upstreams, as a load balancer keeps them.
  const agent = new http.Agent({ keepAlive: true });
  let next = 0;

  const checking = new Map<string, Promise<void>>();
  const timeouts = new Map<string, number>();
  async function check(upstream: string): Promise<void> {
    const answer = await checkReady(upstream, options.checkTimeoutMs ?? 1000);
    if (!ready.has(upstream)) return; // removed while the check was out
    stats.checked[upstream] = (stats.checked[upstream] ?? 0) + 1;
    const timedOut = answer === 'TIMEOUT' ? (timeouts.get(upstream) ?? 0) + 1 : 0;
    timeouts.set(upstream, timedOut);
    if (timedOut > 0 && timedOut < (options.timeoutThreshold ?? 3)) return;
    const isReady = answer === '200';
    if (ready.get(upstream) !== isReady)
      rotation.push({ upstream, inRotation: isReady, at: performance.now(), answer });
    ready.set(upstream, isReady);
  }
  function healthCheck(): Promise<void> {
    for (const upstream of ready.keys()) {
      // A check still waiting for its answer is not doubled up; the next interval tries again.
      if (checking.has(upstream)) continue;
      checking.set(
        upstream,
        check(upstream).finally(() => checking.delete(upstream)),
      );
    }
    return Promise.all(checking.values()).then(() => undefined);
  }
  const timer = setInterval(() => void healthCheck(), options.healthIntervalMs);

  function pick(excluded: ReadonlySet<string>): string | undefined {
    const candidates = [...ready].filter(([upstream, isReady]) => isReady && !excluded.has(upstream));
    if (candidates.length === 0) return undefined;
    return candidates[next++ % candidates.length]?.[0];
  }

  function forward(
    upstream: string,
    request: http.IncomingMessage,
    body: Buffer,
    response: http.ServerResponse,
  ): Promise<Attempt> {
    return new Promise((resolve) => {
      let mayHaveSent = false;
      const headers = { ...endToEnd(request.headers), 'content-length': body.length };
      const outgoing = http.request(`${upstream}${request.url ?? '/'}`, { method: request.method, headers, agent });
      outgoing.on('socket', (socket) => {
        // On a pooled connection the request is written at once; on a new one, once connected.
        if (socket.connecting) socket.once('connect', () => (mayHaveSent = true));
        else mayHaveSent = true;
      });
      outgoing.on('response', (answer) => {
        stats.forwarded[upstream] = (stats.forwarded[upstream] ?? 0) + 1;
        resolve({ kind: 'answered' }); // committed to this upstream from the status line on
        response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(response);
        // Cut off mid-body upstream: cut the client off too rather than pass on a truncated body as complete.
        answer.on('close', () => {
          if (!answer.complete) response.destroy();
        });
      });
      outgoing.on('error', (error: Error & { code?: string }) => {
        const cause = `${upstream} ${error.code ?? error.message}${outgoing.reusedSocket ? ' on a pooled connection' : ''}`;
        resolve(mayHaveSent ? { kind: 'failed-after-send', cause } : { kind: 'unsent' });
      });
      outgoing.end(body);
    });
  }

  const server = http.createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const tried = new Set<string>();
      for (;;) {
        const upstream = pick(tried);
        if (upstream === undefined) {
          stats.noUpstream++;
          response.writeHead(503, { 'content-type': 'text/plain' }).end('no upstream in rotation\n');
          return;
        }
        tried.add(upstream);
        const attempt = await forward(upstream, request, body, response);
        if (attempt.kind === 'answered') return;
        if (attempt.kind === 'failed-after-send') {
          // The app may have read it: never replay it (a POST could be applied twice); the client decides.
          stats.badGateway++;
          stats.badGatewayCauses.push(attempt.cause);
          response.writeHead(502, { 'content-type': 'text/plain' }).end('upstream failed\n');
          return;
        }
        stats.retried++;
      }
    })().catch(() => response.destroy());
  });
  // Longer than any test, so that the proxy never closes a client's keep-alive connection under it.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await healthCheck();

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    rotation,
    add(upstream) {
      if (!ready.has(upstream)) ready.set(upstream, false);
    },
    remove(upstream) {
      ready.delete(upstream);
    },
    inRotation: (upstream) => ready.get(upstream) === true,
    async waitForRotation(upstream, inRotation, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      while (ready.get(upstream) !== inRotation) {
        if (performance.now() > deadline)
          throw new Error(`${upstream} did not ${inRotation ? 'enter' : 'leave'} rotation`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      clearInterval(timer);
      await Promise.all(checking.values());
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
