// fast-check generators of hostile request targets (paths, query strings), methods and headers for every route.
import { METHODS } from 'node:http';
import fc from 'fast-check';
import {
  anyUuid,
  cursorValue,
  hostileString,
  limitValue,
  percentEncodeAll,
  uuidLike,
  validUsername,
} from './hostile-values';

export const ROUTE_TEMPLATES = [
  '/health',
  '/ready',
  '/openapi.json',
  '/metrics',
  '/api/v1/users',
  '/api/v1/users/id/:id',
  '/api/v1/users/username/:username',
] as const;

// CONNECT is left out: node:http treats it as a tunnel request, and Node's server, with no 'connect' listener,
// closes the socket without any answer; none of our code is involved.
const KNOWN_METHODS = METHODS.filter((method) => method !== 'CONNECT');
/** Tokens Node's parser does not know: it answers 400 itself, before any listener. */
const UNKNOWN_METHODS = ['FOO', 'get', 'Get', 'G3T', 'BREW', 'DELETEX'];

export const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PATCH', 'DELETE') },
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_METHODS) },
  { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_METHODS) },
);

export const nodeKnowsMethod = (name: string) => METHODS.includes(name);

/** Characters a client may put in a path unescaped (RFC 3986 pchar, "/" and "?"); others Node may refuse. */
const PLAIN_TARGET = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
export const targetNodeMayRefuse = (target: string) => !PLAIN_TARGET.test(target) || target.length > 15_000;

// Capped so that a target stays under Node's 16 KiB header limit unless a probe means to cross it.
const shortHostileString = hostileString.map((value) => value.slice(0, 200));

/** Path segments that break decoders and routers. */
const hostileSegment = fc.oneof(
  fc.constantFrom('%E0%A4%A', '%', '%zz', '%00', '%2e%2e', '..', '.', '%2F', '%252F', '%C0%AF', '%ED%A0%80', '%FF'),
  fc.constantFrom(';', '%3B', '%20', '+', '*', '~', '@', "'", '"', '<x>', '{}', '|', '\\', '^', '`', 'é', '\u0080'),
  shortHostileString.map(percentEncodeAll),
  fc
    .uint8Array({ maxLength: 12 })
    .map((array) => [...array].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.integer({ min: 200, max: 9000 }).map((n) => 'a'.repeat(n)),
);

const paramValue = (name: string) =>
  name === ':id'
    ? fc.oneof(
        anyUuid,
        anyUuid.map((id) => id.toUpperCase()),
        uuidLike,
        hostileSegment,
        validUsername,
      )
    : fc.oneof(validUsername, hostileSegment, anyUuid);

/** A route's path with its parameters filled in by valid or hostile values. */
const routePath = fc
  .constantFrom(...ROUTE_TEMPLATES)
  .chain((template) =>
    fc
      .tuple(...template.split('/').map((part) => (part.startsWith(':') ? paramValue(part) : fc.constant(part))))
      .map((parts) => parts.join('/')),
  );

/** Mutations of a path: doubled slashes, dot segments, case, trailing slash, foreign prefixes. */
const mutatedPath = fc.tuple(routePath, fc.nat(7)).map(([path, how]) => {
  switch (how) {
    case 0:
      return path.replace(/\//g, '//');
    case 1:
      return `${path}/`;
    case 2:
      return path.replace('/users', '/users/../users');
    case 3:
      return path.toUpperCase();
    case 4:
      return `/.${path}`;
    case 5:
      return `${path}/%2e%2e/%2e%2e/etc/passwd`;
    case 6:
      return `${path};jsessionid=1`;
    default:
      return `${path}#fragment`;
  }
});

const queryPair = fc.oneof(
  limitValue
    .map((value) => value.slice(0, 500))
    .map((value) => `limit=${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}`),
  cursorValue
    .map((value) => value.slice(0, 500))
    .map((value) => `cursor=${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}`),
  fc.constantFrom('limit', 'cursor', 'limit=%', 'cursor=%E0%A4%A', '%zz=1', 'limit[]=1', '__proto__=1', '&&', '='),
  fc
    .tuple(shortHostileString, shortHostileString)
    .map(([key, value]) => `${percentEncodeAll(key)}=${percentEncodeAll(value)}`),
);
export const queryString = fc.array(queryPair, { minLength: 1, maxLength: 4 }).map((pairs) => `?${pairs.join('&')}`);

export const hostileTarget = fc
  .oneof(
    { weight: 5, arbitrary: fc.tuple(routePath, fc.option(queryString, { freq: 3 })) },
    { weight: 3, arbitrary: fc.tuple(mutatedPath, fc.option(queryString, { freq: 4 })) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom('/', '//', '/api', '/api/v1', '/api/v2/users', '/favicon.ico', '/robots.txt', '/ROBOTS.TXT/x'),
        fc.constant(null),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('*', 'http://evil.example/api/v1/users'), fc.constant(null)) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.integer({ min: 15_000, max: 17_000 }).map((n) => `/${'p'.repeat(n)}`),
        fc.constant(null),
      ),
    },
  )
  .map(([path, query]) => path + (query ?? ''));

/** Header values Node will send: printable ASCII, tab and Latin-1 bytes (no CR, LF or NUL). */
export const legalHeaderValue = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    fc.constantFrom('\t', '\u00e9', '\u00ff', '\u0080'),
  ),
  maxLength: 200,
});

export const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
export const requestIdValue = fc.oneof(
  fc.stringMatching(REQUEST_ID), // sane: echoed back
  fc.stringMatching(/^[A-Za-z0-9]{129,400}$/), // too long: replaced
  legalHeaderValue, // spaces, quotes, Latin-1: replaced
  fc.constantFrom('', ' ', 'a b', '"quoted"', 'id;drop', 'a,b', '<x>', '../../etc', '%0d%0aSet-Cookie:x'),
);
