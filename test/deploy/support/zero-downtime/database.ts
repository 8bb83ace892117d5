// What the drain tests ask PostgreSQL directly: the service's connections (its pool's application_name is 'usersvc'),
// and locks that keep creates in flight.
import { Client } from 'pg';
import type { TestDatabase } from '../../../support/database';

/** The service's connections to this test's database; only those waiting on a lock when asked. */
export async function serviceConnections(db: TestDatabase, waitingOnLock = false): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'usersvc'
        AND ($1::boolean IS FALSE OR wait_event_type = 'Lock')`,
    [waitingOnLock],
  );
  return rows[0]?.n ?? 0;
}

export interface TableLock {
  /** Ends the locking transaction; safe to call twice, and before acquire(). */
  release(): Promise<void>;
}

export interface UsersTableLock extends TableLock {
  /** Takes the lock; resolves once it is held. */
  acquire(): Promise<void>;
}

/**
 * A second connection that can hold an EXCLUSIVE lock on users: INSERTs queue behind it and stay in flight, reads go
 * on. It connects at once so that acquire() is quick on a busy machine. Hold it well under DB_CONNECT_TIMEOUT_MS
 * (2 s): once the queued INSERTs hold every pool connection, that is how long other requests (and /ready's ping,
 * bounded by READY_TIMEOUT_MS, 1 s) wait for one.
 */
export async function lockUsersTable(db: TestDatabase): Promise<UsersTableLock> {
  const client = new Client({ connectionString: db.url, application_name: 'zero-downtime-lock' });
  await client.connect();
  let released = false;
  return {
    async acquire() {
      await client.query('BEGIN');
      await client.query('LOCK TABLE users IN EXCLUSIVE MODE');
    },
    async release() {
      if (released) return;
      released = true;
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/**
 * Inserts these usernames in a transaction left open: a create that uses one of them waits on the unique index for
 * that transaction, and succeeds (201) once release() rolls it back. Slows exactly those requests and nothing else.
 */
export async function holdUsernames(db: TestDatabase, usernames: readonly string[]): Promise<TableLock> {
  const client = new Client({ connectionString: db.url, application_name: 'zero-downtime-hold' });
  await client.connect();
  await client.query('BEGIN');
  for (const username of usernames) {
    await client.query(`INSERT INTO users (id, username, email, full_name) VALUES (gen_random_uuid(), $1, $2, $3)`, [
      username,
      `held-${username}@example.com`,
      'Held Back',
    ]);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}
