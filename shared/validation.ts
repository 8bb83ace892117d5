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

/**
 * A query string as one value per name. A repeated name (`?limit=1&limit=3`) is 400 naming it: frameworks disagree
 * on which one wins, so a proxy or cache in front may have read the other.
 */
export function queryFields(query: URLSearchParams): Record<string, string> {
  const fields: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [name, value] of query) {
    if (Object.hasOwn(fields, name)) repeated.add(name);
    else Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
  }
  if (repeated.size > 0) {
    throw errors.validationFailed(
      [...repeated].map((name) => ({ field: `query.${name}`, message: 'must be given once' })),
    );
  }
  return fields;
}
