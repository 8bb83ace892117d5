// X-API-Key check: missing is 401, wrong is 403, compared in constant time against every accepted key.
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors';

// Digests, not the keys themselves: timingSafeEqual needs inputs of equal length, and comparing digests leaks
// neither a key's content nor its length.
const digest = (value: string) => createHash('sha256').update(value).digest();

export function createApiKeyCheck(acceptedKeys: readonly string[]) {
  const accepted = acceptedKeys.map(digest);
  return function checkApiKey(header: string | string[] | undefined): void {
    if (accepted.length === 0) return;
    if (header === undefined || header === '') {
      throw errors.apiKeyMissing();
    }
    const offered = digest(Array.isArray(header) ? header.join(',') : header);
    // Compare against every key (no early exit) so timing does not reveal which one matched.
    let matched = false;
    for (const key of accepted) matched = timingSafeEqual(key, offered) || matched;
    if (!matched) throw errors.apiKeyInvalid();
  };
}
