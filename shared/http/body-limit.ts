// Reads a request body up to a byte limit before any handler (or Functions Framework's parsers) sees it, so that an
// oversized body is refused without being buffered (the framework's own parsers accept up to 1 GB).
import type { IncomingMessage } from 'node:http';

/** What this module leaves on the request for the handler pipeline. */
export interface BodyFields {
  rawBody?: Buffer;
  bodyTooLarge?: boolean;
}

function hideBodyFromFramework(request: IncomingMessage): void {
  // body-parser skips requests that declare no body; the bytes are already in rawBody (or refused).
  delete request.headers['content-length'];
  delete request.headers['transfer-encoding'];
}

export function readBodyWithLimit(request: IncomingMessage & BodyFields, maxBytes: number, next: () => void): void {
  const declared = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (declared === undefined && !chunked) return next();
  if (declared !== undefined && Number(declared) > maxBytes) {
    request.bodyTooLarge = true;
    hideBodyFromFramework(request);
    return next();
  }

  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    request.off('data', onData);
    request.off('end', onEnd);
    hideBodyFromFramework(request);
    next();
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) {
      request.bodyTooLarge = true;
      chunks.length = 0;
      request.pause(); // stop reading; the response closes the connection
      settle();
      return;
    }
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
