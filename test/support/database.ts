// Test databases: a fresh PostgreSQL database per app (when DATABASE_URL is set), or a fresh schema on the Jest
// worker's one PGlite; both migrated exactly as the service migrates them.
import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { startPGlite } from '../../shared/db/embedded';
import { migrate } from '../../shared/db/migrate';

export type Backend = 'embedded' | 'postgres';

/**
 * The backends to run against: PGlite always, the real PostgreSQL when DATABASE_URL is set; TEST_BACKENDS=postgres
 * keeps only the latter (the compatibility gate, test/compat/, runs an older build's suite on a newer schema there).
 */
export const backends: Backend[] = (
  process.env.DATABASE_URL ? (['embedded', 'postgres'] as const) : (['embedded'] as const)
).filter((backend) => !process.env.TEST_BACKENDS || process.env.TEST_BACKENDS.split(',').includes(backend));

/** The migrations test databases get: this build's, or COMPAT_MIGRATIONS_DIR's (a newer build's, for the gate). */
const migrations = { dir: process.env.COMPAT_MIGRATIONS_DIR || undefined };

declare global {
  // Set by test/support/worker-environment.js: the worker's one PGlite.
  var workerPGlite: (() => Promise<PGlite>) | undefined;
}

export interface TestDatabase {
  /** A connection string (postgres only). */
  url?: string;
  query<Row = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>;
  /** Applies every pending migration, as `npm run migrate up` does. */
  migrate(): Promise<void>;
  /** Reverts the newest migration, as `npm run migrate down` does. */
  rollback(): Promise<void>;
  drop(): Promise<void>;
}

/** Set by `npm run test:pooled`: PgBouncer in transaction mode, in front of DATABASE_URL's server. */
const poolerUrl = process.env.TEST_POOLER_URL;

/**
 * The environment that points the service at a test database: directly, or through the run's PgBouncer (then in
 * transaction mode, with migrations on the direct connection).
 */
export function serviceEnvironment(url: string): Record<string, string> {
  if (!poolerUrl) return { DATABASE_URL: url };
  const pooled = new URL(url);
  const pooler = new URL(poolerUrl);
  pooled.host = pooler.host;
  return { DATABASE_URL: pooled.toString(), DB_POOL_MODE: 'transaction', MIGRATION_DATABASE_URL: url };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A new PostgreSQL database on the server of DATABASE_URL, migrated unless told otherwise. */
export async function createPostgresDatabase({ migrated = true } = {}): Promise<TestDatabase & { url: string }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set');
  const name = `usersvc_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  // Through a transaction-mode pooler the statement timeout is the role's or database's default (docs/RUNBOOK.md).
  if (poolerUrl) await admin.query(`ALTER DATABASE ${name} SET statement_timeout = '5s'`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  if (migrated) await migrate({ databaseUrl: url }, { direction: 'up', ...migrations });
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    url,
    query: async <Row>(sql: string, values?: unknown[]) => (await client.query(sql, values)).rows as Row[],
    migrate: async () => void (await migrate({ databaseUrl: url }, { direction: 'up', ...migrations })),
    rollback: async () => void (await migrate({ databaseUrl: url }, { direction: 'down', ...migrations })),
    async drop() {
      await client.end();
      const dropper = new Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/**
 * The worker's PGlite with an empty public schema: the caller migrates (and seeds) it as the service does. A file
 * runs alone on its worker, so the schema is the file's until the next file takes it; two embedded apps alive at once
 * in one file share it (the second empties it), as PGlite is a single session.
 */
export async function emptyEmbeddedDatabase(): Promise<{ pglite: PGlite } & TestDatabase> {
  const pglite = await (globalThis.workerPGlite?.() ?? startPGlite('memory://'));
  await pglite.exec('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  return {
    pglite,
    query: async <Row>(sql: string, values?: unknown[]) => (await pglite.query<Row>(sql, values)).rows,
    migrate: async () => void (await migrate({ pglite }, { direction: 'up' })),
    rollback: async () => void (await migrate({ pglite }, { direction: 'down' })),
    drop: () => Promise.resolve(), // the next file resets it; the worker keeps PGlite for the next one
  };
}

export interface ServiceDatabase extends TestDatabase {
  /** Environment that points a spawned service at this database. */
  env: Record<string, string | undefined>;
}

/** For a spawned service: the environment pointing it at a fresh database (an in-memory PGlite of its own). */
export async function createServiceDatabase(backend: Backend): Promise<ServiceDatabase> {
  if (backend === 'postgres') {
    const db = await createPostgresDatabase();
    return { ...db, env: serviceEnvironment(db.url) };
  }
  return {
    env: { PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined, POSTGRES_HOST: undefined },
    query: () => Promise.reject(new Error('the embedded database lives inside the service process')),
    migrate: () => Promise.reject(new Error('the embedded service migrates itself')),
    rollback: () => Promise.reject(new Error('the embedded service migrates itself')),
    drop: () => Promise.resolve(),
  };
}
