// Conditional requests (RFC 9110 §13): If-None-Match (weak comparison) for every response with an ETag, If-Match
// (strong comparison) on a user, whose ETag is its version, strong. Either way an opaque tag matches only character for character (§8.8.3.2).

/** The strong entity tag of a user at a version. */
export const etagOf = (version: string) => `"${version}"`;

// An entity-tag list: `*`, or `"x"` and `W/"x"` separated by commas (opaque tags hold no comma or quote).
const TAG = /(W\/)?"([^"]*)"/g;
// A version as we issue it: PostgreSQL's text of a positive bigint, so no sign, no leading zero, at most 19 digits.
const ISSUED_VERSION = /^[1-9][0-9]{0,18}$/;
const MAX_BIGINT = 2n ** 63n - 1n;

/** Whether a tag's text is one we could have issued; any other names no user's version (and must not reach SQL). */
const isIssuedVersion = (tag: string) => ISSUED_VERSION.test(tag) && BigInt(tag) <= MAX_BIGINT;

/**
 * The versions an If-Match header names: undefined without one, 'any' for `*`, else those of its strong tags that
 * are versions we issue, as sent. `"01"` is not `"1"`: compared character for character, it names none of ours.
 */
export function ifMatchVersions(header: string | undefined): 'any' | string[] | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return 'any';
  // Weak tags never match under strong comparison; a header naming none of ours matches nothing (412).
  return [...header.matchAll(TAG)]
    .filter(([, weak, tag]) => !weak && isIssuedVersion(tag as string))
    .map(([, , tag]) => tag as string);
}

/** Whether If-None-Match names this entity tag (weak comparison, `*` for any): the client's copy is current (304). */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return [...header.matchAll(TAG)].some(([, , tag]) => `"${tag}"` === etag);
}
