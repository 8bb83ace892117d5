// Reads a request body up to a byte limit before any handler (or Functions Framework's parsers) sees it, so that an
// oversized body is refused without being buffered (the framework's own parsers accept up to 1 GB). A body refused
// here (too large, a transfer coding we do not decode, or not complete within the request timeout) is never read:
// the pipeline answers the refusal and closes the connection, and no request pipelined behind it on that connection
// runs (its bytes might be the refused body's).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors, type AppError } from '../errors';

/** What this module leaves on the request for the handler pipeline. */
export interface BodyFields {
  rawBody?: Buffer;
  bodyTooLarge?: boolean;
  /** Transfer-Encoding other than `chunked` (e.g. `gzip, chunked`): the body is left unread. */
  unsupportedTransferCoding?: boolean;
  /** The headers and body did not all arrive within the server's request timeout. */
  timedOut?: boolean;
}

/** Connections on which a body was refused: whatever follows on them is not a request we may act on. */
const refusedConnections = new WeakSet<Duplex>();
/** Connections whose body is being read, with what ends that read as timed out. */
const bodyReads = new WeakMap<Duplex, () => void>();

/** The error a refused body is answered with, before routing or any handler; undefined when the body is fine. */
export function bodyRefusal(request: BodyFields): AppError | undefined {
  if (request.timedOut) return errors.requestTimeout();
  if (request.unsupportedTransferCoding) return errors.unsupportedTransferCoding();
  if (request.bodyTooLarge) return errors.payloadTooLarge();
  return undefined;
}

/**
 * Called when the server's request timeout fires on a connection: if a body is being read there, the read ends and
 * the request goes on to the pipeline marked timedOut (408). False when no body read was under way.
 */
export function timeOutBodyRead(connection: Duplex): boolean {
  const expire = bodyReads.get(connection);
  expire?.();
  return expire !== undefined;
}

/** Only `Transfer-Encoding: chunked` is framing Node decodes for us; any other coding would reach us still encoded. */
function onlyChunked(transferEncoding: string): boolean {
  return transferEncoding.split(',').every((coding, index, codings) => {
    const name = coding.trim().toLowerCase();
    return name === 'chunked' && index === codings.length - 1;
  });
}

/**
 * Whether the body is refused from its headers alone, unread: a transfer coding we do not decode, or a declared
 * length over the limit. A client that sent `Expect: 100-continue` then gets the refusal instead of a 100.
 */
export function refusedUnread(headers: IncomingMessage['headers'], maxBytes: number): boolean {
  const declared = headers['content-length'];
  const transferEncoding = headers['transfer-encoding'];
  return (
    (transferEncoding !== undefined && !onlyChunked(transferEncoding)) ||
    (declared !== undefined && Number(declared) > maxBytes)
  );
}

/** Marks a connection whose bytes after the current request are not to be acted on; its response closes it. */
export function refuseRestOfConnection(connection: Duplex): void {
  refusedConnections.add(connection);
}

function hideBodyFromFramework(request: IncomingMessage): void {
  // body-parser skips requests that declare no body; the bytes are already in rawBody (or refused).
  delete request.headers['content-length'];
  delete request.headers['transfer-encoding'];
}

export function readBodyWithLimit(request: IncomingMessage & BodyFields, maxBytes: number, next: () => void): void {
  const connection = request.socket;
  // Pipelined behind a refused body: never answered, never run; the refusal's response closes the connection.
  if (refusedConnections.has(connection)) return;
  const refuse = (field: 'bodyTooLarge' | 'unsupportedTransferCoding' | 'timedOut') => {
    request[field] = true;
    refusedConnections.add(connection);
  };
  const declared = request.headers['content-length'];
  const transferEncoding = request.headers['transfer-encoding'];
  if (declared === undefined && transferEncoding === undefined) return next();
  if (transferEncoding !== undefined && !onlyChunked(transferEncoding)) {
    refuse('unsupportedTransferCoding');
    hideBodyFromFramework(request);
    return next();
  }
  if (declared !== undefined && Number(declared) > maxBytes) {
    refuse('bodyTooLarge');
    hideBodyFromFramework(request);
    return next();
  }

  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    bodyReads.delete(connection);
    request.off('data', onData);
    request.off('end', onEnd);
    hideBodyFromFramework(request);
    next();
  };
  const stop = (field: 'bodyTooLarge' | 'timedOut') => {
    refuse(field);
    chunks.length = 0;
    request.pause(); // stop reading; the response closes the connection
    settle();
  };
  bodyReads.set(connection, () => stop('timedOut'));
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) return stop('bodyTooLarge');
    chunks.push(chunk);
  };
  const onEnd = () => {
    request.rawBody = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
    settle();
  };
  request.on('data', onData);
  request.on('end', onEnd);
  // A client that goes away mid-body gets no response; there is nobody to send it to.
  request.on('error', () => request.destroy());
}
