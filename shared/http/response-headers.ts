// Headers on every response the API writes, problem details included; a route's own headers may override them.

/**
 * `no-store`, not `private, no-cache`: responses hold users' personal data and carry no ETag or Last-Modified, so a
 * cache could only revalidate by fetching the whole response again; `no-store` keeps the data out of shared caches and
 * off the client's disk too. `nosniff` stops a browser from guessing a type other than the one declared.
 */
export const API_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};
