// The schema this build's code needs, and whether a database has it. /ready reports it, and an app answers its API
// with 503 SCHEMA_NOT_READY until it holds; once a database is current the check costs nothing more.
import type { Database, Queryable, QueryResult, Statement } from './database';
import { errors } from '../errors';

/** The newest migration the code relies on; test/unit/schema.test.ts keeps it equal to the newest in migrations/. */
export const REQUIRED_MIGRATION = '1795996800000_idempotency-keys';

const applied = { name: 'schema_migration_applied', text: 'SELECT 1 FROM pgmigrations WHERE name = $1' };

export interface SchemaCheck {
  /** The migration the database must have. */
  readonly required: string;
  /** True once a check found the required migration (it is not asked again). */
  known(): boolean;
  /** Asks the database (unless already known current). */
  isCurrent(): Promise<boolean>;
}

export function createSchemaCheck(db: Queryable, required = REQUIRED_MIGRATION): SchemaCheck {
  let current = false;
  return {
    required,
    known: () => current,
    async isCurrent() {
      if (current) return true;
      try {
        current = (await db.query(applied, [required])).rows.length > 0;
      } catch (error) {
        // No migrations table yet (raw, or as the pg backend translates it): a database no migration has run on.
        // Anything else (an outage) is the caller's.
        const code = (error as { code?: unknown }).code;
        if (code !== '42P01' && code !== 'SCHEMA_NOT_READY') throw error;
      }
      return current;
    },
  };
}

/** The database as the handlers see it: every query waits for the schema check while it has not passed yet. */
export function schemaGated(db: Database, schema: SchemaCheck): Database {
  async function gated<Row>(statement: Statement | string, values?: readonly unknown[]): Promise<QueryResult<Row>> {
    if (!(await schema.isCurrent())) throw errors.schemaNotReady(schema.required);
    return db.query<Row>(statement, values);
  }
  return {
    ...db,
    query: <Row>(statement: Statement | string, values?: readonly unknown[]) =>
      schema.known() ? db.query<Row>(statement, values) : gated<Row>(statement, values),
    transaction: async (work) => {
      if (!schema.known() && !(await schema.isCurrent())) throw errors.schemaNotReady(schema.required);
      return db.transaction(work);
    },
  };
}
