// Test databases: a fresh PostgreSQL database per test file (when DATABASE_URL is set), migrated, dropped after.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../../shared/db/migrate';

export type Backend = 'embedded' | 'postgres';

/** The backends to run against: PGlite always, the real PostgreSQL when DATABASE_URL is set. */
export const backends: Backend[] = process.env.DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];

export interface TestDatabase {
  /** Environment that points the service at this database. */
  env: Record<string, string | undefined>;
  /** A connection string for direct checks (postgres only). */
  url?: string;
  query<Row = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A new, migrated PostgreSQL database on the server of DATABASE_URL. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set');
  const name = `usersvc_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  await migrate({ databaseUrl: url }, { direction: 'up' });
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    env: { DATABASE_URL: url },
    url,
    query: async <Row>(sql: string, values?: unknown[]) => (await client.query(sql, values)).rows as Row[],
    async drop() {
      await client.end();
      const dropper = new Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** An in-memory embedded database: the service creates, migrates and seeds it itself. */
export function embeddedDatabase(): TestDatabase {
  return {
    env: { PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined, POSTGRES_HOST: undefined },
    query: () => Promise.reject(new Error('the embedded database lives inside the service process')),
    drop: () => Promise.resolve(),
  };
}

export const createTestDatabase = (backend: Backend) =>
  backend === 'postgres' ? createPostgresDatabase() : Promise.resolve(embeddedDatabase());

export type ServeVia = 'node' | 'functions-framework';

/** Every backend with both ways of serving: straight on node:http (the default) and through the framework's app. */
export const setups: { backend: Backend; serveVia: ServeVia; name: string }[] = backends.flatMap((backend) =>
  (['node', 'functions-framework'] as const).map((serveVia) => ({
    backend,
    serveVia,
    name: `${backend} via ${serveVia}`,
  })),
);
