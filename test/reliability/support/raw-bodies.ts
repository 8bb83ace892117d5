// fast-check generators of request bodies as bytes: malformed and deep JSON, bad UTF-8, duplicate keys, content types.
import fc from 'fast-check';
import { validEmail, validFullName, validUsername } from './hostile-values';

/** What the API must answer, as far as the body alone decides it (a valid-looking path assumed). */
export type BodyExpectation =
  | 'unsupported-media-type' // 415: not application/json in UTF-8
  | 'malformed-json' // 400 MALFORMED_JSON: empty, not UTF-8, or not JSON
  | 'parsed' // JSON that parsed: never 415 nor MALFORMED_JSON
  | 'either'; // a content type whose acceptance we do not pin down

export interface RawBody {
  contentType: string | undefined;
  body: Buffer;
  /** Set for duplicate keys: the username JSON.parse keeps (the last one). */
  lastUsername?: string;
  expect: BodyExpectation;
}

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'Application/JSON',
  'application/json; charset="utf-8"',
  'application/json; foo=bar',
  'application/json;',
];
const NOT_JSON_TYPES = [
  undefined,
  '',
  'text/plain',
  'text/json',
  'text/html; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/problem+json',
  'application/cloudevents+json',
  'application/json-seq',
  'application/jsonx',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json, text/plain',
  '*/*',
  'application/octet-stream',
];
/** Types a lenient server could take either way; only "no 5xx, problem+json" is asserted for them. */
const ODD_TYPES = ['application/json; charset=utf8', 'application/json ; charset = utf-8', ' application/json'];

const validCreate = fc.record({ username: validUsername, email: validEmail, full_name: validFullName });

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** JSON text that parses (deep nesting, duplicate keys, huge numbers, odd keys, many keys). */
const parseable: fc.Arbitrary<{ body: Buffer; lastUsername?: string }> = fc.oneof(
  validCreate.map((user) => ({ body: bytes(JSON.stringify(user)) })),
  fc
    .oneof(fc.constant(10_000), fc.integer({ min: 1, max: 10_000 }))
    .map((depth) => ({ body: bytes('['.repeat(depth) + ']'.repeat(depth)) })),
  fc
    .integer({ min: 1, max: 10_000 })
    .map((depth) => ({ body: bytes('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) })),
  fc.tuple(validCreate, validUsername).map(([user, second]) => ({
    body: bytes(
      `{"username":${JSON.stringify(user.username)},${JSON.stringify(user).slice(1, -1)},"username":${JSON.stringify(second)}}`,
    ),
    lastUsername: second,
  })),
  fc
    .constantFrom('1e400', '-0', 'null', 'true', '"a string"', '[]', '{}', '0', '{"":""}')
    .map((text) => ({ body: bytes(text) })),
  validCreate.map((user) => ({ body: bytes(`{"__proto__":{"isAdmin":true},${JSON.stringify(user).slice(1)}`) })),
  validCreate.map((user) => ({ body: bytes(`{"constructor":{"prototype":{"x":1}},${JSON.stringify(user).slice(1)}`) })),
  validCreate.map((user) => ({ body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(JSON.stringify(user))]) })),
  validCreate.map((user) => ({ body: bytes(JSON.stringify({ ...user, full_name: `${user.full_name}\u0000` })) })),
  validCreate.map((user) => ({ body: bytes(JSON.stringify(user).replace(/"username"/, '"user\\u006eame"')) })),
  fc.integer({ min: 100, max: 4000 }).map((n) => ({
    body: bytes(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])))),
  })),
);

/** Bytes that are not UTF-8 JSON. */
const malformed: fc.Arbitrary<Buffer> = fc
  .oneof(
    fc.constant(Buffer.alloc(0)),
    fc.constantFrom(
      ' ',
      '\n\t ',
      '{',
      '}',
      '{"username":',
      "{'username':'abc'}",
      '{username: "abc"}',
      '[1,]',
      '{"a":1,}',
    ),
    fc.constantFrom(
      '{"a":1}x',
      '{"a":1}{"b":2}',
      'NaN',
      'Infinity',
      'undefined',
      '/* c */ {}',
      '"unterminated',
      '\u0000',
    ),
    fc
      .constantFrom('{"a":"tab\there"}', '{"a":"nul\u0000here"}', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":01}')
      .map(bytes),
    validCreate.chain((user) => {
      const text = JSON.stringify(user);
      return fc.integer({ min: 1, max: text.length - 1 }).map((cut) => bytes(text.slice(0, cut)));
    }),
    // Invalid UTF-8 inside a string: a stray byte, an overlong "/", an encoded surrogate, a truncated sequence.
    fc
      .constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe0, 0xa4], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80])
      .map((invalid) => Buffer.concat([bytes('{"username":"ab'), Buffer.from(invalid), bytes('c"}')])),
    validCreate.map((user) => Buffer.from(JSON.stringify(user), 'utf16le')),
    fc
      .uint8Array({ minLength: 1, maxLength: 512 })
      .map((array) => Buffer.concat([Buffer.from([0xff]), Buffer.from(array)])),
  )
  .map((body) => (typeof body === 'string' ? bytes(body) : body));

export const rawBody: fc.Arbitrary<RawBody> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...JSON_TYPES), parseable)
    .map(([contentType, parsed]) => ({ contentType, ...parsed, expect: 'parsed' as const })),
  fc
    .tuple(fc.constantFrom(...JSON_TYPES), malformed)
    .map(([contentType, body]) => ({ contentType, body, expect: 'malformed-json' as const })),
  fc
    .tuple(
      fc.constantFrom(...NOT_JSON_TYPES),
      fc.oneof(
        parseable.map((p) => p.body),
        malformed,
      ),
    )
    .map(([contentType, body]) => ({ contentType, body, expect: 'unsupported-media-type' as const })),
  fc
    .tuple(
      fc.constantFrom(...ODD_TYPES),
      fc.oneof(
        parseable.map((p) => p.body),
        malformed,
      ),
    )
    .map(([contentType, body]) => ({ contentType, body, expect: 'either' as const })),
);
