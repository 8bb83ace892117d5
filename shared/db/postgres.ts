// The production backend: a bounded pg Pool over TCP or a Unix socket (Cloud SQL), TLS by POSTGRES_SSL_MODE.
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import type { Config, DatabaseConfig } from '../config';
import type { Database, Queryable, QueryResult, Statement } from './database';
import { AppError, errors } from '../errors';
import { translateDriverError } from './failures';
import { StatementTimeoutUnboundedError, withTimeout } from './timeout';

type PostgresConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

function tlsOptions(sslMode: PostgresConfig['sslMode']): ConnectionOptions | undefined {
  switch (sslMode) {
    case 'disable':
      return undefined; // a DATABASE_URL's own ?sslmode= still applies
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

/** The pg client settings shared by the pool and by the migration runner. */
export function clientConfig(database: PostgresConfig, config: Config): PoolConfig {
  const settings: PoolConfig = {
    connectionString: database.connectionString,
    host: database.host,
    port: database.port,
    user: database.user,
    password: database.password,
    database: database.database,
    ssl: tlsOptions(database.sslMode),
    application_name: 'usersvc',
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Client-side bound too: a cut network never answers, so the server-side timeout alone cannot fire.
    query_timeout: config.statementTimeoutMs + 1000,
    keepAlive: true,
  };
  // A transaction-mode pooler refuses startup parameters it does not track, and would not carry a session's settings
  // to the next transaction anyway: there the server-side timeouts are the role's defaults, which /ready checks.
  if (database.poolMode === 'transaction') return settings;
  return {
    ...settings,
    statement_timeout: config.statementTimeoutMs,
    idle_in_transaction_session_timeout: config.statementTimeoutMs * 2,
  };
}

const serverStatementTimeout = `SELECT extract(epoch FROM current_setting('statement_timeout')::interval) * 1000 AS ms`;

export function createPostgresDatabase(
  database: PostgresConfig,
  config: Config,
  onIdleClientError: (error: Error) => void,
): Database {
  const pool = new Pool({ ...clientConfig(database, config), max: config.poolMax, idleTimeoutMillis: 30_000 });
  // Without this listener an idle client's error (database restart, network cut) crashes the process.
  pool.on('error', onIdleClientError);
  // pg-pool takes its own error listener off a client while the client is checked out, and an 'error' event with no
  // listener ends the process. This one stays for the client's life: a session lost at any moment fails only the
  // query on it (pg rejects it), and pg-pool discards the client, which is no longer queryable, when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  // Behind a transaction-mode pooler the next statement may run on another server session, which never saw a named
  // statement's Parse: every statement is sent unnamed there.
  const named = database.poolMode === 'session';

  /** Queries through the pool (a statement of its own) or through one client (a statement in its transaction). */
  const queryOn =
    (on: Pool | PoolClient) =>
    async <Row>(statement: Statement | string, values?: readonly unknown[]): Promise<QueryResult<Row>> => {
      const text = typeof statement === 'string' ? statement : statement.text;
      const name = named && typeof statement !== 'string' ? statement.name : undefined;
      try {
        const result = await on.query({ text, name, values: values as unknown[] | undefined });
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw translateDriverError(error);
      }
    };
  const run = queryOn(pool);

  return {
    query: run,

    async ping(timeoutMs) {
      if (database.poolMode === 'session') {
        await withTimeout(run('SELECT 1'), timeoutMs, 'database ping');
        return;
      }
      // Through a pooler the statement timeout is the role's default (docs/RUNBOOK.md): not ready without one.
      const { rows } = await withTimeout(run<{ ms: number }>(serverStatementTimeout), timeoutMs, 'database ping');
      const ms = Number(rows[0]?.ms ?? 0);
      if (ms <= 0 || ms > config.statementTimeoutMs) throw new StatementTimeoutUnboundedError(ms);
    },

    async transaction(work) {
      const client = await pool.connect().catch((error: unknown) => {
        throw translateDriverError(error);
      });
      // A session lost mid-transaction fails this request only: no ROLLBACK is tried on it, and it is destroyed.
      let lost: Error | undefined;
      const onLost = (error: Error) => (lost ??= error);
      client.on('error', onLost);
      const tx: Queryable = { query: queryOn(client) };
      try {
        await tx.query('BEGIN');
        const result = await work(tx);
        await tx.query('COMMIT');
        return result;
      } catch (error) {
        // A client whose ROLLBACK failed (or whose session is gone) is in an unknown state: it is destroyed below.
        if (!lost) await client.query('ROLLBACK').catch((rollbackError: Error) => (lost = rollbackError));
        throw lost && !(error instanceof AppError) ? errors.databaseUnavailable(lost) : error;
      } finally {
        client.off('error', onLost);
        client.release(lost);
      }
    },

    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),

    close: () => pool.end(),
  };
}
