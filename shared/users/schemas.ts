// The users API's input rules, in one module shared by the handlers and the OpenAPI document.
import { z } from 'zod';

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

const codePoints = (value: string) => [...value].length;
// Letters and marks of any script, digits, spaces and the punctuation names use (O'Neil, Jean-Luc, Jr.), plus
// the zero-width (non-)joiner that Persian and Indic names need.
const NAME_CHARACTERS = /^(?:[\p{L}\p{M}\p{N} '’.,-]|\u200C|\u200D)+$/u;

export const fullName = z
  .string({ error: 'must be a string' })
  .transform((value) => value.trim().replace(/\s+/g, ' '))
  .refine((value) => codePoints(value) >= 2, 'must be at least 2 characters')
  .refine((value) => codePoints(value) <= 100, 'must be at most 100 characters')
  .refine((value) => NAME_CHARACTERS.test(value), "must hold only letters, digits, spaces and ' . , -")
  .meta({ description: "2–100 characters after trimming; letters of any script, digits, spaces and ' ’ . , -" });

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

export const userId = z.uuid({ error: 'must be a UUID' });

export const listQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 200')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200'))
    .default(50),
  cursor: z.string().max(200, 'is not a valid cursor').optional(),
});

export type CreateUserInput = z.output<typeof createUserInput>;
export type PatchUserInput = z.output<typeof patchUserInput>;
export type ListQuery = z.output<typeof listQuery>;
