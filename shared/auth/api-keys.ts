// API keys: missing is 401, wrong is 403, compared in constant time against every accepted key. A key from API_KEY
// holds every scope, as before scopes existed; one from API_KEYS has a name and the scopes it was given.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ScopedApiKey } from '../config';
import { errors } from '../errors';
import type { Principal } from './principal';

// Digests, not the keys themselves: timingSafeEqual needs inputs of equal length, and comparing digests leaks
// neither a key's content nor its length.
const digest = (value: string) => createHash('sha256').update(value).digest();

export function createApiKeyCheck(keys: readonly string[], scopedKeys: readonly ScopedApiKey[] = []) {
  const accepted = [
    ...keys
      .map(digest)
      .map((hash) => ({ digest: hash, name: hash.toString('hex').slice(0, 12), scopes: 'all' as const })),
    ...scopedKeys.map(({ key, name, scopes }) => ({ digest: digest(key), name, scopes: new Set(scopes) })),
  ];
  return function checkApiKey(header: string | string[] | undefined): Principal {
    if (header === undefined || header === '') {
      throw errors.apiKeyMissing();
    }
    const offered = digest(Array.isArray(header) ? header.join(',') : header);
    // Compare against every key (no early exit) so timing does not reveal which one matched.
    let matched: (typeof accepted)[number] | undefined;
    for (const key of accepted) if (timingSafeEqual(key.digest, offered)) matched ??= key;
    if (!matched) throw errors.apiKeyInvalid();
    // The idempotency scope is the key's digest, as it was before keys had names: records stay the caller's.
    return {
      id: `api-key:${matched.name}`,
      scopes: matched.scopes,
      idempotencyScope: offered.toString('hex'),
      via: 'api-key',
    };
  };
}
