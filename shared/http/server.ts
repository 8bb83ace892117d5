// Owns the http.Server that serves a registered function: body limit, keep-alive settings, and a drain on
// shutdown (the framework's own CLI calls process.exit() on SIGTERM instead).
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { ServeVia } from '../config';
import { logger } from '../logging';
import type { HttpFunction } from './pipeline';
import { isDraining, onDraining } from '../lifecycle';
import { readBodyWithLimit } from './body-limit';
import { MAX_BODY_BYTES } from './json-body';

// Longer than the idle timeouts of the proxies in front (Knative queue-proxy, Google load balancers),
// so the server never closes a connection that a proxy is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 620_000;

// The framework's Express app answers these itself, before any function runs: its default ignored routes get an
// empty 404, and a target that is not a path ("OPTIONS *") or cannot be percent-decoded gets Express's HTML page.
const FRAMEWORK_IGNORED_ROUTE = /^\/(favicon\.ico|robots\.txt)(\/|$)/i;

/**
 * Hands such a request to Express under a harmless escaped path and keeps the original in `rawUrl`, so that our
 * router answers it with problem details like any other unknown or invalid path.
 */
function shieldFromFrameworkRoutes(request: IncomingMessage & { rawUrl?: string }): void {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart);
  let decodable = true;
  if (path.includes('%')) {
    try {
      decodeURIComponent(path);
    } catch {
      decodable = false;
    }
  }
  if (decodable && path.startsWith('/') && !FRAMEWORK_IGNORED_ROUTE.test(path)) return;
  request.rawUrl = url;
  request.url = `/${encodeURIComponent(path)}${query}`;
}

/**
 * What handles a request once its body is read. "node" calls the function directly: Functions Framework's
 * Express app costs more than our whole pipeline per request, its per-call `domain` switches on async hooks for the
 * entire process, and loading it costs 16 MB and 70 ms at start (all measured in bench/). "functions-framework"
 * serves the exact app its CLI would, from its public getTestServer export, so the function runs as it would under
 * `functions-framework --target`. Both run the same registered function.
 */
function handlerFor(target: FunctionTarget, via: ServeVia): RequestListener {
  if (via === 'functions-framework') {
    // Loaded only here: it pulls in Express.
    type Testing = typeof import('@google-cloud/functions-framework/testing');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { getTestServer } = require('@google-cloud/functions-framework/testing') as Testing;
    const [app] = getTestServer(target.name).listeners('request') as RequestListener[];
    if (!app) throw new Error(`Functions Framework has no function registered as ${target.name}`);
    return (request, response) => {
      shieldFromFrameworkRoutes(request);
      app(request, response);
    };
  }
  return (request, response) => {
    target.fn(request, response).catch((error: unknown) => {
      // The pipeline answers every error itself; reaching here is a bug in it. Never leave the client hanging.
      logger().error('request pipeline failed', { error: error instanceof Error ? error.stack : String(error) });
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/problem+json' });
      response.end();
    });
  };
}

/** A function registered with Functions Framework under `name` (see functions/index.ts). */
export interface FunctionTarget {
  name: string;
  fn: HttpFunction;
}

/** Builds the server for a registered function target. */
export function createFunctionServer(target: FunctionTarget, via: ServeVia): Server {
  const handle = handlerFor(target, via);
  const server = createServer();
  // Responses not yet finished. Those in flight when draining starts must close their connection too: a
  // keep-alive connection that goes idle after server.close() stays open until keepAliveTimeout (620 s),
  // so the drain would only end at the SHUTDOWN_TIMEOUT_MS deadline.
  const open = new Set<ServerResponse>();
  const forget = onDraining(() => {
    for (const response of open) if (!response.headersSent) response.shouldKeepAlive = false;
  });
  server.once('close', forget);
  server.on('request', (request: IncomingMessage, response) => {
    // While draining, every response closes its connection so that keep-alive clients move elsewhere.
    if (isDraining()) response.shouldKeepAlive = false;
    open.add(response);
    response.once('close', () => open.delete(response));
    // A response whose keep-alive headers went out before the drain (a slow reader) leaves an idle
    // connection behind when it finishes; once close() has run, nothing else would close that connection.
    response.once('finish', () => {
      if (!server.listening) server.closeIdleConnections();
    });
    readBodyWithLimit(request, MAX_BODY_BYTES, () => handle(request, response));
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  server.requestTimeout = 60_000;
  return server;
}

/** Stops accepting connections and resolves once every in-flight request has finished. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
