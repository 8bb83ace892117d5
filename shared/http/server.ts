// The production server: node:http calling the `api` function directly, with the body limit, keep-alive settings,
// and a drain on shutdown (Functions Framework's own CLI calls process.exit() on SIGTERM instead). Why it does not
// go through the framework's Express app: docs/ARCHITECTURE.md, "Two ways to serve".
import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from '../config';
import type { Drain } from '../drain';
import type { Logger } from '../logging';
import { readBodyWithLimit, refusedUnread, timeOutBodyRead } from './body-limit';
import { answerClientError, answerMissingHost, missingHost } from './client-errors';
import { MAX_BODY_BYTES } from './limits';
import type { HttpFunction } from './pipeline';
import { API_RESPONSE_HEADERS } from './response-headers';

// Longer than the idle timeouts of the proxies in front (Knative queue-proxy, Google load balancers),
// so the server never closes a connection that a proxy is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 620_000;
// A connection answered 408 closes once the answer is written; this bounds it if the peer never reads it.
const TIMED_OUT_CONNECTION_GRACE_MS = 5000;

export interface ServerOptions {
  drain: Drain;
  logger: Logger;
  config: Pick<Config, 'requestTimeoutMs' | 'maxConnections'>;
}

/**
 * A client error: a body still being read when the request timeout fires goes on to the pipeline as timed out (408
 * problem details, request id, request line); anything else is answered here (shared/http/client-errors.ts).
 */
function onClientError(error: NodeJS.ErrnoException, connection: Duplex, logger: Logger): void {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && timeOutBodyRead(connection)) {
    setTimeout(() => connection.destroy(), TIMED_OUT_CONNECTION_GRACE_MS).unref();
    return;
  }
  answerClientError(error, connection, logger);
}

export function createFunctionServer(fn: HttpFunction, { drain, logger, config }: ServerOptions): Server {
  /**
   * Once draining has started, every response closes its connection so that keep-alive clients move elsewhere, those
   * already in flight included (a keep-alive connection that goes idle after server.close() stays open until
   * keepAliveTimeout, so the drain would only end at the SHUTDOWN_TIMEOUT_MS deadline). Decided as the headers are
   * written (writeHead, which implicit headers go through too), so the server keeps no set of responses in flight.
   */
  class DrainingAwareResponse extends ServerResponse {
    // Node's writeHead takes (status, headers) or (status, reason, headers); passing all three on is the same call.
    override writeHead(statusCode: number, reason?: unknown, headers?: unknown): this {
      if (drain.isDraining()) this.shouldKeepAlive = false;
      return (super.writeHead as (status: number, reason?: unknown, headers?: unknown) => this).call(
        this,
        statusCode,
        reason,
        headers,
      );
    }
  }
  // How often Node looks for requests past the timeout (default 30 s): often enough that a 408 is close to due.
  const server = createServer({
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.requestTimeoutMs / 4))),
    ServerResponse: DrainingAwareResponse,
    // Node would answer a missing Host itself with a bare 400 and no log line; the 'request' listener answers it.
    requireHostHeader: false,
  });
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    fn(request, response).catch((error: unknown) => {
      // The pipeline answers every error itself; reaching here is a bug in it. Never leave the client hanging.
      // `stack` makes it an Error Reporting event (shared/logging.ts).
      logger.error('request pipeline failed', { stack: error instanceof Error ? error.stack : String(error) });
      if (!response.headersSent) {
        response.writeHead(500, { ...API_RESPONSE_HEADERS, 'Content-Type': 'application/problem+json' });
      }
      response.end();
    });
  };
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (missingHost(request)) return answerMissingHost(request, response, logger);
    readBodyWithLimit(request, MAX_BODY_BYTES, () => handle(request, response));
  };
  server.on('request', onRequest);
  // Expect: 100-continue. A body that would be refused unread gets its refusal (413, or 400 for the transfer coding)
  // at once, instead of a 100 that invites the client to send what is then not read.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!refusedUnread(request.headers, MAX_BODY_BYTES)) response.writeContinue();
    onRequest(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Node times both from a request's first byte. Headers and body must all arrive within the request timeout; a
  // headersTimeout above requestTimeout makes Node swap the two, which let a trickled body run for 621 s.
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.requestTimeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, connection: Duplex) =>
    onClientError(error, connection, logger),
  );
  if (config.maxConnections > 0) {
    // At the cap Node closes each new connection at once ('drop'). Closing the idle keep-alive connections then
    // makes room, so sockets held open without a request cannot lock out the proxy in front; it reconnects.
    server.maxConnections = config.maxConnections;
    server.on('drop', () => server.closeIdleConnections());
  }
  // accept() failing (EMFILE, ENFILE: out of file descriptors) is the server's 'error' event, which would end the
  // process without a listener. Freeing the idle connections' descriptors lets the next accept and query succeed.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.syscall !== 'accept') return; // listen errors: the caller's once('error') handles them
    logger.warn('accepting a connection failed; closing idle connections', { error: error.message });
    server.closeIdleConnections();
  });
  return server;
}

// How often a closing server closes the connections that went idle since it last looked.
const IDLE_SWEEP_MS = 50;

/**
 * Stops accepting connections and resolves once every in-flight request has finished. A response whose keep-alive
 * headers went out before the drain (a slow reader) leaves an idle connection behind when it finishes, which nothing
 * else would close before keepAliveTimeout (620 s); so while closing, idle connections are closed every 50 ms, which
 * needs no listener on every response for the few that finish during a drain.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
