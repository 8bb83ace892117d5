// fast-check generators of valid, near-miss and hostile values for the users API's fields, bodies and query.
import fc from 'fast-check';

/** Strings picked for what they break elsewhere: SQL and JSON injection, encodings, invisible and RTL text. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'ab\u0000cd',
  "'; DROP TABLE users; --",
  "' OR '1'='1",
  "admin'--",
  '1; SELECT pg_sleep(10)',
  "'); DELETE FROM users; --",
  '$1',
  '%s%s%s%n',
  '{{7*7}}',
  '${jndi:ldap://x/a}',
  '<script>alert(1)</script>',
  '","username":"admin',
  '\\"}',
  '{"$ne":null}',
  '__proto__',
  'constructor',
  'NaN',
  '-0',
  '1e309',
  '\\',
  '"',
  '\u202eevil\u202c', // right-to-left override
  'abc\u200b', // zero-width space
  'a\u200db', // zero-width joiner
  '\ufeffabc', // byte-order mark
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  'ab\ud83dcd', // half an emoji
  'e\u0301', // NFD é
  '\u00e9', // NFC é
  'Z\u0351\u0334a\u0336\u0321l\u0337g\u0338o', // stacked combining marks
  '🧑‍🚀',
  '👍🏽',
  'مرحبا بالعالم',
  'שלום',
  'İıß',
  'ﬃ',
  '\u2028\u2029',
  '\r\n',
  '\t',
  'ａｄｍｉｎ', // fullwidth
  '١٢٣', // Arabic-Indic digits
  'x'.repeat(1000),
];

const hostileUnit = fc.constantFrom('\u0000', '\ud800', '\udc00', '\u202e', '\u200b', 'a', '_', "'", '"', '\\', 'é');

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) }, // any code point, controls included
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: hostileUnit, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...HOSTILE_STRINGS), { maxLength: 4 }).map((p) => p.join('')) },
  // Up to past the 64 KiB body limit once serialized.
  { weight: 1, arbitrary: fc.integer({ min: 2000, max: 70_000 }).map((n) => 'y'.repeat(n)) },
);

/** Any JSON value that is not a string: what a client sends when it gets the type wrong. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

export const validUsername = fc.stringMatching(/^[A-Za-z0-9]{3,50}$/);
export const validEmail = fc
  .tuple(fc.stringMatching(/^[a-zA-Z0-9]{1,20}$/), fc.stringMatching(/^[a-z]{2,12}$/))
  .map(([local, domain]) => `${local}@${domain}.example`);

/** Names the API must accept: scripts, RTL, NFC and NFD, marks, punctuation, the length limits in code points. */
export const VALID_FULL_NAMES: readonly string[] = [
  'John Doe',
  "O'Neil",
  'O’Brien',
  'Jean-Luc Picard',
  'Dr. Who, Jr.',
  'Jos\u00e9 \u00c1lvarez', // NFC
  'Jose\u0301 A\u0301lvarez', // NFD
  'محمد علي',
  'דוד לוי',
  '李小龍',
  'Zoë Ñandú',
  'İbrahim Straße',
  'Владимир Путин',
  'Ωμέγα',
  'Ng',
  '  Padded \t  Name  ',
  '𝒜'.repeat(100), // 100 code points, 200 UTF-16 units
  'e\u0301'.repeat(50), // 100 code points with marks
  'n'.repeat(100),
];
export const validFullName = fc.oneof(
  fc.constantFrom(...VALID_FULL_NAMES),
  fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,60}[A-Za-z]$/),
);

/** A field value and whether it is valid, hostile (may or may not pass), of the wrong type, or left out. */
export type FieldValue =
  | { kind: 'valid'; value: string }
  | { kind: 'hostile'; value: string }
  | { kind: 'wrong-type'; value: unknown }
  | { kind: 'absent' };

function fieldOf(valid: fc.Arbitrary<string>): fc.Arbitrary<FieldValue> {
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((value) => ({ kind: 'valid' as const, value })) },
    { weight: 3, arbitrary: hostileString.map((value) => ({ kind: 'hostile' as const, value })) },
    { weight: 1, arbitrary: wrongType.map((value) => ({ kind: 'wrong-type' as const, value })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'absent' as const }) },
  );
}

export const USER_FIELDS = ['username', 'email', 'full_name'] as const;
export type UserField = (typeof USER_FIELDS)[number];

export interface UserFields {
  fields: Record<UserField, FieldValue>;
  /** A key the API does not know, with any value. */
  extra: [string, unknown] | null;
}

export const userFields: fc.Arbitrary<UserFields> = fc.record({
  fields: fc.record({
    username: fieldOf(validUsername),
    email: fieldOf(validEmail),
    full_name: fieldOf(validFullName),
  }),
  // One body in six carries a key the API does not know (mass assignment: id, created_at, is_admin...).
  extra: fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.oneof(hostileString, fc.constantFrom('id', 'created_at', 'is_admin')), fc.jsonValue()),
    },
  ),
});

/** The JSON object for these fields (absent ones left out). */
export function bodyOf({ fields, extra }: UserFields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const name of USER_FIELDS) {
    const field = fields[name];
    if (field.kind !== 'absent') body[name] = field.value;
  }
  // defineProperty, so that a key named "__proto__" becomes a real key of the JSON, not the prototype.
  if (extra) Object.defineProperty(body, extra[0], { value: extra[1], enumerable: true });
  return body;
}

/** A create that looks right but breaks exactly one rule of one field. */
export interface NearMiss {
  field: UserField;
  value: string;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const fromChars = (chars: string) => (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...chars), minLength, maxLength });
const alnum = fromChars(`${LETTERS}0123456789`);
const letters = fromChars(LETTERS);
const nearMissOf = (field: UserField, values: fc.Arbitrary<string>) => values.map((value) => ({ field, value }));

export const nearMiss: fc.Arbitrary<NearMiss> = fc.oneof(
  // Usernames: one character outside ASCII letters and digits, or 2 / 51+ characters, or empty.
  nearMissOf(
    'username',
    fc
      .tuple(
        alnum(1, 24),
        fc.constantFrom('_', '!', '-', '.', ' ', '@', '$', 'é', 'ａ', '١', '\u200b', '\u0000', '\u0130'),
        alnum(1, 24),
      )
      .map(([a, bad, b]) => a + bad + b),
  ),
  nearMissOf('username', alnum(2, 2)),
  nearMissOf('username', alnum(51, 51)),
  nearMissOf('username', alnum(52, 120)),
  nearMissOf('username', fc.constant('')),
  // Emails: a well-formed address of 101+ characters, or a malformed one.
  nearMissOf(
    'email',
    fc.integer({ min: 101, max: 160 }).map((length) => `${'a'.repeat(length - '@example.com'.length)}@example.com`),
  ),
  nearMissOf(
    'email',
    fc.constantFrom(
      'plainaddress',
      'a@@example.com',
      'a@example',
      '.a@example.com',
      'a b@example.com',
      'é@example.com',
    ),
  ),
  nearMissOf('email', fc.constantFrom('a@example.com\n', '<a@example.com>', 'a@example.com,b@example.com', '')),
  // Full names: one character once trimmed, over 100 code points, or characters names do not use.
  nearMissOf(
    'full_name',
    fc
      .tuple(fc.constantFrom(' ', '  ', '\t', '\u00a0', '\u3000', ''), letters(1, 1), fc.constantFrom(' ', '\n', ''))
      .map(([before, letter, after]) => before + letter + after),
  ),
  nearMissOf('full_name', fc.constantFrom('字', 'é', 'e', '   ', '')),
  nearMissOf(
    'full_name',
    fc.tuple(fc.integer({ min: 101, max: 140 }), fc.constantFrom('n', 'é', '𝒜', 'ж')).map(([n, ch]) => ch.repeat(n)),
  ),
  nearMissOf('full_name', fc.constant('e\u0301'.repeat(51))),
  // Nothing a reader sees: joiners, combining marks, Hangul fillers, or one letter among them (issue 9).
  nearMissOf(
    'full_name',
    fc.constantFrom(
      '\u200d\u200d',
      '\u0301\u0301\u0301',
      '\u200c\u0301',
      '\u3164\u3164',
      'x\u0301\u200d',
      ' \u0301 \u0301 ',
    ),
  ),
  nearMissOf(
    'full_name',
    fc
      .tuple(letters(2, 20), fc.constantFrom('😀', '<', '>', '@', '_', '#', '\u0000', '\u202e', '\u200b', '\ud800'))
      .map(([name, bad]) => `${name}${bad}x`),
  ),
);

/** A random UUID in canonical form (any version: the API takes any 8-4-4-4-12 hex string, as PostgreSQL does). */
export const anyUuid = fc.uuid();

/**
 * Almost UUIDs: a character short or long, no dashes, a URN prefix, a bad variant, padded; and two the API takes as
 * PostgreSQL does, braces and version 0.
 */
export const uuidLike = fc.tuple(anyUuid, fc.nat(8)).map(([id, how]) => {
  switch (how) {
    case 0:
      return id.slice(0, -1);
    case 1:
      return `${id}0`;
    case 2:
      return id.replace(/-/g, '');
    case 3:
      return `{${id}}`;
    case 4:
      return `urn:uuid:${id}`;
    case 5:
      return `${id.slice(0, 19)}z${id.slice(20)}`;
    case 6:
      return `%20${id}`;
    case 7:
      return id.replace(/-/g, '_');
    default:
      return `${id.slice(0, 14)}0${id.slice(15)}`; // version 0
  }
});

/** A query value for limit: numbers in and out of range, and things that only look like numbers. */
export const limitValue = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 200 }).map(String) }, // valid, so that the cursor is read
  fc.constantFrom('', '0', '1', '200', '201', '-1', '1e2', '0x10', '01', '001', ' 1', '1.0', '١', 'abc', 'null'),
  fc.constant('9'.repeat(400)),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  hostileString,
);

const timestampLike = fc.oneof(
  fc
    .tuple(
      fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
      fc.nat(999),
    )
    .map(([date, micros]) => `${date.toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`),
  // Impossible or out-of-range instants that still have the right shape (PostgreSQL refuses them).
  fc.constantFrom(
    '2023-02-29T00:00:00.000000Z',
    '2024-02-30T12:00:00.000000Z',
    '2024-04-31T00:00:00.000000Z',
    '0000-01-01T00:00:00.000000Z',
    '2024-01-01T24:00:00.000000Z',
    '2024-13-01T00:00:00.000000Z',
    '2024-00-10T00:00:00.000000Z',
    '9999-12-31T23:59:59.999999Z',
  ),
  hostileString,
);

const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** Cursors: random base64url, forged [timestamp, id] pairs, wrong shapes, and plain garbage. */
export const cursorValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(timestampLike, fc.oneof({ weight: 3, arbitrary: anyUuid }, { weight: 1, arbitrary: hostileString }))
      .map((pair) => base64url(JSON.stringify(pair))),
  },
  fc.jsonValue({ maxDepth: 3 }).map((value) => base64url(JSON.stringify(value))),
  fc.base64String({ maxLength: 200 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,300}$/),
  hostileString,
);

/** Percent-encodes every UTF-8 byte of a string (lone surrogates become U+FFFD), so any value fits a URL. */
export const percentEncodeAll = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
