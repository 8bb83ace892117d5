// The request target as the router reads it: its path and query. RFC 9112 §3.2.2: a server must accept the
// absolute-form (`GET http://host/api/v1/users HTTP/1.1`), which clients send to proxies and some proxies pass on; it
// is served as its origin-form (`/api/v1/users`), the scheme and authority dropped as the Host header is (routing
// never uses them).

const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

/** `http://host:8080/p?q` becomes `/p?q`, `http://host` becomes `/`; an origin-form target is returned unchanged. */
export function originForm(target: string): string {
  const authority = ABSOLUTE_FORM.exec(target);
  if (!authority) return target;
  const rest = target.slice(authority[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** A target's path, and its query string without the `?` (undefined when the target has no `?`). */
export function splitTarget(target: string): { path: string; query: string | undefined } {
  const queryStart = target.indexOf('?');
  return queryStart === -1
    ? { path: target, query: undefined }
    : { path: target.slice(0, queryStart), query: target.slice(queryStart + 1) };
}
