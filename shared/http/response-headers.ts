// Headers on every response the API writes, problem details included; a route's own headers may override them.

/**
 * `no-store` unless a route says otherwise: lists and problem details hold users' personal data and carry no ETag, so a
 * cache could only revalidate by fetching the whole response again; `no-store` keeps them out of shared caches and off
 * the client's disk. A single user (which carries an ETag) and the docs set their own `no-cache`. `nosniff`, on every
 * response, stops a browser from guessing a type other than the one declared.
 */
export const API_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};
