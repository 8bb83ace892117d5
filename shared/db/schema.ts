// The schema this build's code needs, and whether a database has it. /ready reports it, and an app answers its API
// with 503 SCHEMA_NOT_READY while it does not hold. A migration can be rolled back under a running revision, so the
// answer is asked again every few seconds by /ready, and at once when a query finds a table or column missing.
import type { Database, Queryable, QueryResult, Statement } from './database';
import { AppError, errors } from '../errors';

/** The newest migration the code relies on; test/unit/schema.test.ts keeps it equal to the newest in migrations/. */
export const REQUIRED_MIGRATION = '1795996800000_idempotency-keys';

/** How long a "current" answer stands before /ready asks the database again. */
export const SCHEMA_RECHECK_MS = 5000;

const applied = { name: 'schema_migration_applied', text: 'SELECT 1 FROM pgmigrations WHERE name = $1' };

export interface SchemaCheck {
  /** The migration the database must have. */
  readonly required: string;
  /** True while the last answer found the required migration and nothing has contradicted it since. */
  known(): boolean;
  /** The last answer while it is fresh (younger than the recheck interval), else the database's answer now. */
  isCurrent(): Promise<boolean>;
  /** Forgets the last answer: a query just found the schema behind this build. */
  invalidate(): void;
}

export function createSchemaCheck(
  db: Queryable,
  required = REQUIRED_MIGRATION,
  recheckMs = SCHEMA_RECHECK_MS,
): SchemaCheck {
  let current = false;
  let checkedAt = 0;
  let asking: Promise<boolean> | undefined;

  async function ask(): Promise<boolean> {
    try {
      current = (await db.query(applied, [required])).rows.length > 0;
    } catch (error) {
      // No migrations table (raw, or as the backends translate it): a database no migration has run on, or one
      // migrated all the way down. Anything else (an outage) is the caller's.
      const code = (error as { code?: unknown }).code;
      if (code !== '42P01' && code !== 'SCHEMA_NOT_READY') throw error;
      current = false;
    }
    checkedAt = Date.now();
    return current;
  }

  return {
    required,
    known: () => current,
    isCurrent() {
      if (current && Date.now() - checkedAt < recheckMs) return Promise.resolve(true);
      // Concurrent callers share one question.
      asking ??= ask().finally(() => (asking = undefined));
      return asking;
    },
    invalidate() {
      current = false;
    },
  };
}

/** The database as the handlers see it: every query waits for the schema check while it has not passed. */
export function schemaGated(db: Database, schema: SchemaCheck): Database {
  const forgetOnSchemaError = (error: unknown): never => {
    if (error instanceof AppError && error.code === 'SCHEMA_NOT_READY') schema.invalidate();
    throw error;
  };
  async function gated<Row>(statement: Statement | string, values?: readonly unknown[]): Promise<QueryResult<Row>> {
    if (!(await schema.isCurrent())) throw errors.schemaNotReady(schema.required);
    return db.query<Row>(statement, values).catch(forgetOnSchemaError);
  }
  return {
    ...db,
    query: <Row>(statement: Statement | string, values?: readonly unknown[]) =>
      schema.known() ? db.query<Row>(statement, values).catch(forgetOnSchemaError) : gated<Row>(statement, values),
    transaction: async (work) => {
      if (!schema.known() && !(await schema.isCurrent())) throw errors.schemaNotReady(schema.required);
      return db.transaction(work).catch(forgetOnSchemaError);
    },
  };
}
