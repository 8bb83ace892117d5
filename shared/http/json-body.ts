// Turns a request's body into a JSON value, or the exact 4xx that says why it cannot be one.
import { errors } from '../errors';
import type { ApiRequest } from './types';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every((parameter) => !parameter.startsWith('charset=') || /^charset="?utf-?8"?$/.test(parameter));
}

export function jsonBody(request: ApiRequest): unknown {
  const encoding = request.headers['content-encoding'];
  const compressed = encoding !== undefined && encoding.trim().toLowerCase() !== 'identity';
  if (compressed || !isJsonMediaType(request.headers['content-type'])) throw errors.unsupportedMediaType();
  if (!request.rawBody || request.rawBody.length === 0) throw errors.malformedJson();
  try {
    return JSON.parse(utf8.decode(request.rawBody));
  } catch {
    // Invalid UTF-8, invalid JSON, or nesting too deep for the parser: all the client's to fix.
    throw errors.malformedJson();
  }
}
