// X-API-Key check: missing is 401, wrong is 403, compared in constant time against every accepted key.
import { hash, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors';

// Hashing first gives equal-length inputs, so timingSafeEqual leaks neither content nor length. crypto.hash is the
// one-shot form (no Hash object per request; Node 20.12+).
const digest = (value: string) => hash('sha256', value, 'buffer');

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
