// Requests Node's HTTP parser refuses before any request object exists (or, for a missing Host, before the pipeline):
// answered as problem details with a new request id, the connection closed, and one WARNING line that names the
// parser's error code and the peer, never the request's bytes (they may be a smuggling attempt or someone's secret).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errors, type AppError } from '../errors';
import type { Logger } from '../logging';
import { refuseRestOfConnection } from './body-limit';
import { send } from './pipeline';
import { problemResponse } from './problem';
import { newRequestId } from './request-id';
import { API_RESPONSE_HEADERS } from './response-headers';

/** What a client error is answered with: Node's own choice of status (lib/_http_server.js, socketOnError). */
function refusalOf(code: string | undefined): AppError | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout();
  if (code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge();
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return errors.payloadTooLarge();
  // Every other llhttp error is a request that is not valid HTTP/1.1; a socket error (ECONNRESET) is not a request.
  if (code?.startsWith('HPE_')) return errors.malformedRequest();
  return undefined;
}

/** A raw HTTP/1.1 response, for a connection on which no response object can be used. */
function rawResponse(status: number, headers: Record<string, string>, body: string): string {
  const fields = { ...API_RESPONSE_HEADERS, ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
  const lines = Object.entries({ ...fields, Connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`;
}

function logRefusal(logger: Logger, requestId: string, status: number, code: string, connection: Duplex): void {
  const message =
    code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 'request timed out before its headers were complete'
      : 'request refused by the HTTP parser';
  logger.warn(message, {
    request_id: requestId,
    status,
    error_code: code,
    remote_ip: (connection as Partial<Socket>).remoteAddress,
  });
}

/**
 * Answers a 'clientError' on a connection whose request never reached the pipeline (see shared/http/server.ts for the
 * one that did: a body still being read when the request timeout fires). Writes only when no response has started on
 * the connection, or it would corrupt that response; then closes it.
 */
export function answerClientError(error: NodeJS.ErrnoException, connection: Duplex, logger: Logger): void {
  const refusal = refusalOf(error.code);
  const inFlight = (connection as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (refusal && connection.writable && !inFlight?.headersSent) {
    const requestId = newRequestId();
    const reply = problemResponse(refusal, requestId);
    const headers = { 'Content-Type': `${reply.contentType}; charset=utf-8`, 'X-Request-ID': requestId };
    connection.write(rawResponse(reply.status, headers, JSON.stringify(reply.body)));
    logRefusal(logger, requestId, reply.status, error.code as string, connection);
  }
  connection.destroy(error);
}

/** Whether the request lacks the Host an HTTP/1.1 request must carry (RFC 9112 §3.2): 400, as Node would answer. */
export const missingHost = (request: IncomingMessage): boolean =>
  request.httpVersionMajor === 1 && request.httpVersionMinor === 1 && request.headers.host === undefined;

/** Answers a request that has no Host as a parser refusal would be answered; nothing pipelined behind it runs. */
export function answerMissingHost(request: IncomingMessage, response: ServerResponse, logger: Logger): void {
  refuseRestOfConnection(request.socket);
  const requestId = newRequestId();
  const reply = problemResponse(errors.malformedRequest(), requestId);
  send(response, reply, true, requestId);
  logRefusal(logger, requestId, reply.status, 'MISSING_HOST', request.socket);
}
