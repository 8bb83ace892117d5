// Turns a set of routes into one Functions Framework HTTP function: request id, auth, routing, the
// handler, errors as problem details, and one log line per request. Every target is built by it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessLogFields } from '../access-log';
import { AppError, errors } from '../errors';
import { ANONYMOUS, type Principal } from '../auth/principal';
import { bodyRefusal, type BodyFields } from './body-limit';
import { clientIp } from './client-ip';
import { problemResponse } from './problem';
import { requestIdFrom } from './request-id';
import { redactUrl } from './request-log';
import { originForm, splitTarget } from './request-target';
import { API_RESPONSE_HEADERS } from './response-headers';
import { createRouter } from './routing';
import { traceFields } from './trace';
import type { ApiRequest, ApiResponse, AppContext, Route } from './types';

/**
 * Our functions take plain node:http objects, so the same function runs under the framework's Express app
 * (whose Request and Response extend these) and straight on a node:http server.
 */
export type IncomingRequest = IncomingMessage & BodyFields & { originalUrl?: string; rawUrl?: string };
export type HttpFunction = (request: IncomingRequest, response: ServerResponse) => Promise<void>;

/**
 * Writes a reply; returns the body's size in bytes. Every header goes to writeHead in one object: a header set
 * before with setHeader would be validated and stored twice. The reply's own headers override the API's.
 */
export function send(res: ServerResponse, reply: ApiResponse, closeConnection: boolean, requestId?: string): number {
  const headers: Record<string, string | number> = {
    ...API_RESPONSE_HEADERS,
    ...reply.headers,
    ...(requestId !== undefined && { 'X-Request-ID': requestId }),
    ...(closeConnection && { Connection: 'close' }),
  };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return 0;
  }
  if (Buffer.isBuffer(reply.body)) {
    res.writeHead(reply.status, {
      ...headers,
      'Content-Type': reply.contentType ?? 'application/octet-stream',
      'Content-Length': reply.body.length,
    });
    res.end(reply.body);
    return reply.body.length;
  }
  // A string body is already text (the metrics exposition); anything else is sent as JSON.
  const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const size = Buffer.byteLength(payload);
  res.writeHead(reply.status, {
    ...headers,
    'Content-Type': `${reply.contentType ?? 'application/json'}; charset=utf-8`,
    'Content-Length': size,
  });
  res.end(payload);
  return size;
}

function severityOf(status: number): 'info' | 'warn' | 'error' {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

export function servePipeline(routes: readonly Route[], app: AppContext): HttpFunction {
  const match = createRouter(routes);
  const { auth } = app;
  const project = app.config.googleCloudProject;
  const trustedHops = app.config.trustedProxyHops;
  const { metrics, logger } = app;

  return async function pipeline(req, res) {
    const started = process.hrtime.bigint();
    metrics.requestStarted();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    // rawUrl: the path as sent, when it had to be escaped for Express (see shared/http/framework.ts).
    const url = originForm(req.rawUrl ?? req.originalUrl ?? req.url ?? '/');
    const method = req.method ?? 'GET';
    const { path, query } = splitTarget(url);
    // A body refused at the front door (too large, a transfer coding we do not decode, too slow): whatever the route.
    // Its unread bytes are still on the socket, so the reply closes the connection rather than read them.
    const refused = bodyRefusal(req);
    let template = 'unmatched';
    let principal: Principal = ANONYMOUS;
    let reply: ApiResponse;
    let failure: unknown;

    try {
      if (refused) throw refused;
      const found = match(method, path);
      const scope = found.kind === 'found' ? found.route.scope : undefined;
      if (found.kind === 'found' && scope === undefined) {
        template = found.route.path;
      } else {
        // Credentials first: an unknown path is 401 to a stranger, so routes are not probed without them.
        principal = await auth.authenticate(req.headers);
      }
      if (found.kind === 'not-found') throw errors.routeNotFound(path);
      if (found.kind === 'wrong-method') throw errors.methodNotAllowed(path, method, found.allow);
      template = found.route.path;
      if (scope !== undefined) auth.authorize(principal, scope);
      const request: ApiRequest = {
        method,
        path,
        query: new URLSearchParams(query),
        params: found.params,
        headers: req.headers,
        rawBody: req.rawBody,
        requestId,
        principal,
      };
      reply = await found.route.handler(request, app);
    } catch (error) {
      failure = error;
      reply = problemResponse(error, requestId);
      metrics.problemAnswered(error instanceof AppError ? error.code : 'INTERNAL');
    }

    let size: number;
    try {
      size = send(res, reply, refused !== undefined, requestId);
    } catch (error) {
      // A bug in writing the reply: the server answers 500 (shared/http/server.ts), still with the request id.
      if (!res.headersSent) res.setHeader('X-Request-ID', requestId);
      throw error;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.requestFinished(method, template, reply.status, seconds);
    const fields = accessLogFields(
      {
        requestMethod: method,
        requestUrl: redactUrl(url),
        status: reply.status,
        responseSize: String(size),
        latency: `${seconds.toFixed(6)}s`,
        userAgent: req.headers['user-agent'],
        remoteIp: clientIp(req, trustedHops),
        protocol: `HTTP/${req.httpVersion}`,
      },
      requestId,
      template,
      // `stack` makes the line an Error Reporting event (see shared/logging.ts).
      reply.status >= 500 && failure !== undefined ? { error: describe(failure), stack: stackOf(failure) } : undefined,
      traceFields(req.headers, project),
      principal,
    );
    logger.request(severityOf(reply.status), `${method} ${path} ${reply.status}`, fields);
  };
}

/** The stack Error Reporting groups a 5xx by: the thrown error's, or one made here for a thrown non-error. */
function stackOf(error: unknown): string {
  return (error instanceof Error && error.stack) || (new Error(`non-error thrown: ${String(error)}`).stack as string);
}

/** What a 5xx log line says about its cause in one line (the stack is in `stack`), never sent to the client. */
function describe(error: unknown): string {
  if (error instanceof AppError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.code}${cause}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
