// The bench databases: dropped, recreated and migrated each run, seeded in one INSERT ... SELECT generate_series.
import { Client } from 'pg';
import { migrate } from '../shared/db/migrate';
import type { Queryable, Statement } from '../shared/db/database';
import { decodeCursor, encodeCursor } from '../shared/users/cursor';
import { listUsers } from '../shared/users/repository';
import type { WorkloadData } from './workloads';

/** The same server as serverUrl, another database. */
export function databaseUrlFor(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'usersvc-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function assertIdentifier(name: string): void {
  // Database names are interpolated into DDL (it takes no parameters); ours are fixed lower-case words.
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
}

/** Drops the database if present (closing its connections), creates it empty and applies the migrations. */
export async function recreateDatabase(serverUrl: string, name: string): Promise<string> {
  assertIdentifier(name);
  await withClient(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  const url = databaseUrlFor(serverUrl, name);
  await migrate({ databaseUrl: url }, { direction: 'up' });
  return url;
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  assertIdentifier(name);
  await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Seed usernames are `seed<n>`, emails `seed<n>@bench.example`, created_at 1 ms apart so pages are distinct. */
export const seedUsername = (n: number) => `seed${n}`;

/**
 * Inserts `count` users in one statement and analyzes the table; resolves the seconds it took.
 * created_at is fixed in the past, so users created during the run sort after every seeded one.
 */
export async function seedUsers(url: string, count: number): Promise<number> {
  const started = performance.now();
  await withClient(url, async (client) => {
    await client.query(
      `INSERT INTO users (id, username, email, full_name, created_at, updated_at)
       SELECT gen_random_uuid(), 'seed' || g, 'seed' || g || '@bench.example', 'Seed User ' || g,
              timestamptz '2025-01-01 00:00:00+00' + g * interval '1 millisecond',
              timestamptz '2025-01-01 00:00:00+00' + g * interval '1 millisecond'
       FROM generate_series(1, $1::int) AS g`,
      [count],
    );
    await client.query('VACUUM ANALYZE users');
  });
  return (performance.now() - started) / 1000;
}

export async function countUsers(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users');
    return Number(rows[0]?.n ?? 0);
  });
}

/** Every user id in the table, for the workloads to pick from. */
export async function userIds(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ id: string }>('SELECT id FROM users');
    return rows.map((row) => row.id);
  });
}

/** The API's cursor for the row at `offset` in list order: the next page starts after it. */
export async function cursorAfterRow(url: string, offset: number): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ created_at: string; id: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at, id
       FROM users ORDER BY created_at, id OFFSET $1 LIMIT 1`,
      [offset],
    );
    const row = rows[0];
    if (!row) throw new Error(`no row at offset ${offset}`);
    return encodeCursor({ createdAt: row.created_at, id: row.id });
  });
}

/**
 * A fresh bench database `name` on the server at serverUrl, seeded with `rows` users, and what the workloads need of
 * it: the users' ids and a cursor halfway in.
 */
export async function seededBenchDatabase(
  serverUrl: string,
  name: string,
  rows: number,
): Promise<{ url: string; seedSeconds: number; data: WorkloadData }> {
  const url = await recreateDatabase(serverUrl, name);
  const seedSeconds = await seedUsers(url, rows);
  const data = { ids: await userIds(url), seedRows: rows, cursor: await cursorAfterRow(url, Math.floor(rows / 2)) };
  return { url, seedSeconds, data };
}

/** The statement and values the repository sends for one call, captured instead of run. */
async function captureStatement(
  call: (db: Queryable) => Promise<unknown>,
): Promise<{ text: string; values: unknown[] }> {
  let captured: { text: string; values: unknown[] } | undefined;
  const recorder: Queryable = {
    query: <Row>(statement: Statement | string, values?: readonly unknown[]) => {
      captured = { text: typeof statement === 'string' ? statement : statement.text, values: [...(values ?? [])] };
      return Promise.resolve({ rows: [] as Row[], rowCount: 0 });
    },
  };
  await call(recorder);
  if (!captured) throw new Error('the repository sent no statement');
  return captured;
}

/**
 * EXPLAIN ANALYZE of the list statements exactly as the service sends them (taken from the repository itself, with
 * the same parameters), to show whether a page walks the (created_at, id) index or reads and sorts the whole table.
 */
export async function explainListPages(
  url: string,
  cursor: string,
  limit: number,
): Promise<{ first: string[]; deep: string[] }> {
  const first = await captureStatement((db) => listUsers(db, limit, undefined));
  const deep = await captureStatement((db) => listUsers(db, limit, decodeCursor(cursor)));
  return withClient(url, async (client) => {
    const explain = async ({ text, values }: { text: string; values: unknown[] }) => {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`,
        values,
      );
      return rows.map((row) => row['QUERY PLAN']);
    };
    return { first: await explain(first), deep: await explain(deep) };
  });
}

/** Removes the users the write workloads created and vacuums, so every cell starts from the same seeded table. */
export async function restoreSeededTable(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rowCount } = await client.query(`DELETE FROM users WHERE username LIKE 'bench%'`);
    await client.query('VACUUM ANALYZE users');
    return rowCount ?? 0;
  });
}

export async function serverVersion(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    return rows[0]?.version ?? 'unknown';
  });
}
