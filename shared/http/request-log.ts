// What the request log may say about a request target: the values of secret query parameters are replaced.
import { splitTarget } from './request-target';

/**
 * Query parameters whose values never reach a log line. A name is compared after percent-decoding, lower-cased, with
 * an array suffix (`[]`) and a leading `x-` removed, so `API_KEY[]` and `x-api-key` are `api_key`-like secrets too.
 */
const SECRET_PARAMETERS = new Set(['api_key', 'api-key', 'token', 'key', 'password', 'secret', 'signature']);
export const REDACTED = '[REDACTED]';
// Both separators servers split a query on (`&`, and `;` as some frameworks still do), kept in the split's result.
const SEPARATORS = /([&;])/;

function isSecret(rawName: string): boolean {
  let name = rawName;
  if (name.includes('%') || name.includes('+')) {
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // Not decodable: compared as sent.
    }
  }
  name = name.trim().toLowerCase();
  if (name.endsWith('[]')) name = name.slice(0, -2);
  if (name.startsWith('x-')) name = name.slice(2);
  return SECRET_PARAMETERS.has(name);
}

/**
 * The target with each secret parameter's value replaced by `[REDACTED]`, every occurrence, the rest as sent. A target
 * without a query string is returned as it is, so the request line pays for this only when there is a query.
 */
export function redactUrl(url: string): string {
  const { path, query } = splitTarget(url);
  if (query === undefined) return url;
  // Parameters at even indices, the separators between them at odd ones.
  const parts = query.split(SEPARATORS);
  let changed = false;
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i] as string;
    const equals = part.indexOf('=');
    if (equals === -1 || !isSecret(part.slice(0, equals))) continue;
    parts[i] = `${part.slice(0, equals + 1)}${REDACTED}`;
    changed = true;
  }
  return changed ? `${path}?${parts.join('')}` : url;
}
