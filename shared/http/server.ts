// Owns the http.Server around the Functions Framework app: body limit before the framework, keep-alive
// settings, and a drain on shutdown (the framework's own CLI calls process.exit() on SIGTERM instead).
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { isDraining } from '../lifecycle';
import { readBodyWithLimit } from './body-limit';
import { MAX_BODY_BYTES } from './json-body';

// Longer than the idle timeouts of the proxies in front (Knative queue-proxy, Google load balancers),
// so the server never closes a connection that a proxy is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 620_000;

/**
 * Builds the server for a registered target. getTestServer is the framework's public way to get the exact
 * app its CLI would serve; we keep that app and put our own request listener in front of it.
 */
export function createFunctionServer(target: string): Server {
  const server = getTestServer(target);
  const [app] = server.listeners('request') as RequestListener[];
  if (!app) throw new Error(`Functions Framework returned a server without an app for ${target}`);
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response) => {
    // While draining, every response closes its connection so that keep-alive clients move elsewhere.
    if (isDraining()) response.shouldKeepAlive = false;
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
