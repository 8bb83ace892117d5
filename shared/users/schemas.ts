// The users API's input rules, in one module shared by the handlers and the OpenAPI document.
import { z } from 'zod';
import { parseWith } from '../validation';

// As the seed service: ASCII letters and digits only, so "test_user" and "test_user!" are refused.
export const username = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9]+$/, 'must hold only ASCII letters and digits')
  .min(3, 'must be at least 3 characters')
  .max(50, 'must be at most 50 characters')
  .meta({ description: 'ASCII letters and digits; unique case-insensitively.' });

export const email = z
  .email({ error: 'must be a valid email address' })
  .max(100, 'must be at most 100 characters')
  .transform((value) => value.toLowerCase())
  .meta({ description: 'Stored lower-cased; unique.' });

// Code points, as a reader counts characters: a surrogate pair is one.
const codePoints = (value: string) => [...value].length;
// Letters and marks of any script, digits, spaces and the punctuation names use (O'Neil, Jean-Luc, Jr.), plus
// the zero-width (non-)joiner that Persian and Indic names need.
const NAME_CHARACTERS = /^(?:[\p{L}\p{M}\p{N} '’.,-]|\u200C|\u200D)+$/u;

// What a reader sees: letters and digits, but not the Hangul fillers, letters by category that render as nothing.
// Two of them anywhere in the name, found by one test rather than a list of every match.
const TWO_VISIBLE_LETTERS_OR_DIGITS =
  /(?![\u115F\u1160\u3164\uFFA0])[\p{L}\p{N}][^]*?(?![\u115F\u1160\u3164\uFFA0])[\p{L}\p{N}]/u;
const wellFormedName = (value: string) => {
  const length = codePoints(value);
  return length >= 2 && length <= 100 && NAME_CHARACTERS.test(value);
};

export const fullName = z
  .string({ error: 'must be a string' })
  .transform((value) => value.trim().replace(/\s+/g, ' '))
  .refine((value) => codePoints(value) >= 2, 'must be at least 2 characters')
  .refine((value) => codePoints(value) <= 100, 'must be at most 100 characters')
  .refine((value) => NAME_CHARACTERS.test(value), "must hold only letters, digits, spaces and ' . , -")
  // Only marks or joiners ("\u200d\u200d", "\u0301\u0301\u0301") pass the rules above yet show nothing; said only
  // when those rules hold, so that each bad name gets one message.
  .refine(
    (value) => !wellFormedName(value) || TWO_VISIBLE_LETTERS_OR_DIGITS.test(value),
    'must hold at least 2 letters or digits',
  )
  .meta({
    description:
      "2–100 characters after trimming, at least 2 of them letters or digits; letters of any script, digits, spaces and ' ’ . , -",
  });

export const createUserInput = z.strictObject(
  { username, email, full_name: fullName },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
);

export const patchUserInput = z
  .strictObject(
    { username: username.optional(), email: email.optional(), full_name: fullName.optional() },
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
  )
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'must set at least one of username, email, full_name',
  });

// As PostgreSQL's uuid type reads them: any 8-4-4-4-12 hex string (no version or variant bits required), either
// case, optionally in braces; not the unhyphenated or oddly grouped forms PostgreSQL also takes. Queried, and shown
// in errors, in the canonical lower-case form.
const UUID_TEXT =
  /^(?:[\dA-Fa-f]{8}-[\dA-Fa-f]{4}-[\dA-Fa-f]{4}-[\dA-Fa-f]{4}-[\dA-Fa-f]{12}|\{[\dA-Fa-f]{8}-[\dA-Fa-f]{4}-[\dA-Fa-f]{4}-[\dA-Fa-f]{4}-[\dA-Fa-f]{12}\})$/;

export const userId = z
  .string({ error: 'must be a UUID' })
  .regex(UUID_TEXT, 'must be a UUID')
  .transform((value) => value.replace(/[{}]/g, '').toLowerCase())
  .meta({ description: 'A UUID, 8-4-4-4-12 hex digits in either case, optionally in braces; any version.' });

/** The path's id, read by the userId schema: canonical, or a 400 that says why not. */
export function pathUserId(value: string | undefined): string {
  return parseWith(userId, value, 'path.id');
}

export const listQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 200')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200'))
    .default(50),
  cursor: z.string().max(200, 'is not a valid cursor').optional(),
});

// What the API answers for a user: the representation the repository reads and the handlers send, and the source of
// the OpenAPI document's User schema. A field is added here, in the repository's columns and in a migration together.
const timestamp = z.iso.datetime({ offset: false, precision: 6 }).meta({ description: 'RFC 3339, UTC, microseconds' });

export const userRepresentation = z.strictObject({
  id: z.guid().meta({ format: 'uuid' }),
  username: z.string(),
  email: z.string().meta({ format: 'email' }),
  full_name: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const userPage = z.strictObject({
  data: z.array(userRepresentation),
  next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
});

export type User = z.output<typeof userRepresentation>;
export type CreateUserInput = z.output<typeof createUserInput>;
export type PatchUserInput = z.output<typeof patchUserInput>;
export type ListQuery = z.output<typeof listQuery>;
