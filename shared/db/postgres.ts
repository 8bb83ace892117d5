// The production backend: a bounded pg Pool over TCP or a Unix socket (Cloud SQL), TLS by POSTGRES_SSL_MODE.
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import type { Config, DatabaseConfig } from '../config';
import type { Database, Queryable, QueryResult, Statement } from './database';
import { translateDriverError } from './failures';
import { withTimeout } from './timeout';

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
  return {
    connectionString: database.connectionString,
    host: database.host,
    port: database.port,
    user: database.user,
    password: database.password,
    database: database.database,
    ssl: tlsOptions(database.sslMode),
    application_name: 'usersvc',
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    // Client-side bound too: a cut network never answers, so the server-side timeout alone cannot fire.
    query_timeout: config.statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: config.statementTimeoutMs * 2,
    keepAlive: true,
  };
}

export function createPostgresDatabase(
  database: PostgresConfig,
  config: Config,
  onIdleClientError: (error: Error) => void,
): Database {
  const pool = new Pool({ ...clientConfig(database, config), max: config.poolMax, idleTimeoutMillis: 30_000 });
  // Without this listener an idle client's error (database restart, network cut) crashes the process.
  pool.on('error', onIdleClientError);

  /** Queries through the pool (a statement of its own) or through one client (a statement in its transaction). */
  const queryOn =
    (on: Pool | PoolClient) =>
    async <Row>(statement: Statement | string, values?: readonly unknown[]): Promise<QueryResult<Row>> => {
      const query = typeof statement === 'string' ? { text: statement } : statement;
      try {
        const result = await on.query({ ...query, values: values as unknown[] | undefined });
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw translateDriverError(error);
      }
    };
  const run = queryOn(pool);

  return {
    query: run,

    async ping(timeoutMs) {
      await withTimeout(run('SELECT 1'), timeoutMs, 'database ping');
    },

    async transaction(work) {
      const client = await pool.connect().catch((error: unknown) => {
        throw translateDriverError(error);
      });
      const tx: Queryable = { query: queryOn(client) };
      // A client whose ROLLBACK failed is in an unknown state: release(error) destroys it instead of pooling it.
      let broken: Error | undefined;
      try {
        await tx.query('BEGIN');
        const result = await work(tx);
        await tx.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    },

    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),

    close: () => pool.end(),
  };
}
