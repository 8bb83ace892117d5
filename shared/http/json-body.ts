// Turns a request's body into a JSON value, or the exact 4xx that says why it cannot be one.
import { AppError } from '../errors';
import type { ApiRequest } from './types';

export const MAX_BODY_BYTES = 64 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every((parameter) => !parameter.startsWith('charset=') || /^charset="?utf-?8"?$/.test(parameter));
}

export function jsonBody(request: ApiRequest): unknown {
  if (request.bodyTooLarge || (request.rawBody?.length ?? 0) > MAX_BODY_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body uncompressed (no Content-Encoding).');
  }
  if (!isJsonMediaType(request.headers['content-type'])) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as Content-Type: application/json (UTF-8).');
  }
  if (!request.rawBody || request.rawBody.length === 0) {
    throw new AppError('MALFORMED_JSON', 'A JSON body is required.');
  }
  try {
    return JSON.parse(utf8.decode(request.rawBody));
  } catch {
    // Invalid UTF-8, invalid JSON, or nesting too deep for the parser: all the client's to fix.
    throw new AppError('MALFORMED_JSON', 'The body is not valid UTF-8 JSON.');
  }
}
