// Runs a zod schema and turns its issues into the API's 400 with one {field, message} per problem.
import type { z } from 'zod';
import { AppError, type FieldError } from './errors';

function fieldErrorsOf(issues: readonly z.core.$ZodIssue[], prefix: string): FieldError[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: prefix + key, message: 'is not a known field' }));
    }
    const field = prefix + issue.path.map(String).join('.');
    return [{ field: field || prefix.replace(/\.$/, '') || 'body', message: issue.message }];
  });
}

/**
 * Validates input against a schema; on failure throws VALIDATION_FAILED naming each field.
 * `where` prefixes field names for path and query input (e.g. "query.limit") to say where the value was.
 */
export function parseWith<Schema extends z.ZodType>(schema: Schema, input: unknown, where = ''): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors = fieldErrorsOf(result.error.issues, where ? `${where}.` : '');
  throw new AppError('VALIDATION_FAILED', 'The request has invalid fields; see errors.', { fieldErrors });
}
