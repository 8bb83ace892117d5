// Conditional requests (RFC 9110 §13) on a user: its ETag is its version, strong; If-None-Match (weak comparison)
// and If-Match (strong comparison).

/** The strong entity tag of a user at a version. */
export const etagOf = (version: string) => `"${version}"`;

// An entity-tag list: `*`, or `"x"` and `W/"x"` separated by commas (opaque tags hold no comma or quote).
const TAG = /(W\/)?"([^"]*)"/g;

/** The versions an If-Match header names: undefined without one, 'any' for `*`, else those of its strong tags. */
export function ifMatchVersions(header: string | undefined): 'any' | string[] | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return 'any';
  // Weak tags never match under strong comparison; a header naming none of ours matches nothing (412).
  return [...header.matchAll(TAG)].filter(([, weak]) => !weak).map(([, , tag]) => tag as string);
}

/** Whether If-None-Match names this version (weak comparison, `*` for any): the client's copy is current (304). */
export function noneMatchHits(header: string | undefined, version: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return [...header.matchAll(TAG)].some(([, , tag]) => tag === version);
}
