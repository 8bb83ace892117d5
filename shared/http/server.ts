// The production server: node:http calling the `api` function directly, with the body limit, keep-alive settings,
// and a drain on shutdown (Functions Framework's own CLI calls process.exit() on SIGTERM instead). Why it does not
// go through the framework's Express app: docs/ARCHITECTURE.md, "Two ways to serve".
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Drain } from '../lifecycle';
import type { Logger } from '../logging';
import { readBodyWithLimit } from './body-limit';
import { MAX_BODY_BYTES } from './limits';
import type { HttpFunction } from './pipeline';

// Longer than the idle timeouts of the proxies in front (Knative queue-proxy, Google load balancers),
// so the server never closes a connection that a proxy is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 620_000;

export function createFunctionServer(fn: HttpFunction, { drain, logger }: { drain: Drain; logger: Logger }): Server {
  const server = createServer();
  // Responses not yet finished. Those in flight when draining starts must close their connection too: a
  // keep-alive connection that goes idle after server.close() stays open until keepAliveTimeout (620 s),
  // so the drain would only end at the SHUTDOWN_TIMEOUT_MS deadline.
  const open = new Set<ServerResponse>();
  const forget = drain.onDraining(() => {
    for (const response of open) if (!response.headersSent) response.shouldKeepAlive = false;
  });
  server.once('close', forget);
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    fn(request, response).catch((error: unknown) => {
      // The pipeline answers every error itself; reaching here is a bug in it. Never leave the client hanging.
      logger.error('request pipeline failed', { error: error instanceof Error ? error.stack : String(error) });
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/problem+json' });
      response.end();
    });
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    // While draining, every response closes its connection so that keep-alive clients move elsewhere.
    if (drain.isDraining()) response.shouldKeepAlive = false;
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
