// Owns the http.Server around the Functions Framework app: body limit before the framework, keep-alive
// settings, and a drain on shutdown (the framework's own CLI calls process.exit() on SIGTERM instead).
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { isDraining, onDraining } from '../lifecycle';
import { readBodyWithLimit } from './body-limit';
import { MAX_BODY_BYTES } from './json-body';

// Longer than the idle timeouts of the proxies in front (Knative queue-proxy, Google load balancers),
// so the server never closes a connection that a proxy is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 620_000;

/**
 * Express answers a path it cannot percent-decode with its own HTML 400 before our function runs. Such a
 * path is escaped for Express and the original kept in `rawUrl`, so that our router rejects it properly.
 */
function shieldUndecodablePath(request: IncomingMessage & { rawUrl?: string }): void {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  if (!path.includes('%')) return;
  try {
    decodeURIComponent(path);
  } catch {
    request.rawUrl = url;
    request.url = path.replace(/%/g, '%25') + (queryStart === -1 ? '' : url.slice(queryStart));
  }
}

/**
 * Builds the server for a registered target. getTestServer is the framework's public way to get the exact
 * app its CLI would serve; we keep that app and put our own request listener in front of it.
 */
export function createFunctionServer(target: string): Server {
  const server = getTestServer(target);
  const [app] = server.listeners('request') as RequestListener[];
  if (!app) throw new Error(`Functions Framework returned a server without an app for ${target}`);
  server.removeAllListeners('request');
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
    shieldUndecodablePath(request);
    readBodyWithLimit(request, MAX_BODY_BYTES, () => app(request, response));
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
