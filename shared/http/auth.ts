// X-API-Key check: missing is 401, wrong is 403, compared in constant time against every accepted key.
import { hash } from 'node:crypto';
import { errors } from '../errors';

// Hashing first gives equal-length inputs, so the comparison leaks neither content nor length. As hex text rather
// than a Buffer: a Buffer per request is an ArrayBuffer with its own backing store, which every scavenge must sweep,
// and the API-key cell's p99 was twice the baseline's (bench/README.md). crypto.hash is the one-shot form (Node 20.12+).
const digest = (value: string) => hash('sha256', value, 'hex');

/**
 * Whether two digests of the same length are equal, looking at every character whatever the first difference: no
 * early exit, so the time says nothing about where they differ (and what it could say is about a digest, not a key).
 */
function sameDigest(expected: string, offered: string): boolean {
  let difference = expected.length ^ offered.length;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ offered.charCodeAt(i);
  return difference === 0;
}

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
    for (const key of accepted) matched = sameDigest(key, offered) || matched;
    if (!matched) throw errors.apiKeyInvalid();
  };
}
