// Runs a zod schema and turns its issues into the API's 400 with one {field, message} per problem.
import type { z } from 'zod';
import { errors, type FieldError } from './errors';

const fieldName = (where: string, path: readonly PropertyKey[]) =>
  [where, ...path.map(String)].filter((part) => part !== '').join('.') || 'body';

function fieldErrorsOf(issues: readonly z.core.$ZodIssue[], where: string): FieldError[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldName(where, [...issue.path, key]),
        message: 'is not a known field',
      }));
    }
    return [{ field: fieldName(where, issue.path), message: issue.message }];
  });
}

/**
 * Validates input against a schema; on failure throws VALIDATION_FAILED naming each field.
 * `where` prefixes field names for path and query input (e.g. "query.limit") to say where the value was.
 */
export function parseWith<Schema extends z.ZodType>(schema: Schema, input: unknown, where = ''): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw errors.validationFailed(fieldErrorsOf(result.error.issues, where));
}
