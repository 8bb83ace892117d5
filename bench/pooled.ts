// `npm run bench -- --pooled`: what DB_POOL_MODE=transaction costs. The same service twice, through Debian's
// PgBouncer in transaction mode (unnamed statements, the pooler's hop) against session mode on a direct connection,
// in the main bench's paired rounds; its tables read "service" for the first and "baseline" for the second.
import { Client } from 'pg';
import { startPgBouncer, type PgBouncer } from '../scripts/pgbouncer';
import { SCRIPTS, serverEnv, type ServerSpec } from './processes';

export interface PooledSpecs {
  transaction: ServerSpec;
  session: ServerSpec;
  pooler: PgBouncer;
}

export async function pooledSpecs(
  url: string,
  poolMax: number,
  node: string,
  compileCache: string | undefined,
): Promise<PooledSpecs> {
  // Through the pooler the statement timeout is the database's default (docs/RUNBOOK.md); session mode sets its own.
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${new URL(url).pathname.slice(1)}" SET statement_timeout = '5s'`);
  await admin.end();
  const server = new URL(url);
  // As many server sessions as the service's pool: the comparison is the mode, not a smaller pool.
  const pooler = await startPgBouncer({
    serverHost: server.hostname,
    serverPort: Number(server.port || 5432),
    poolSize: poolMax,
  });
  const env = (databaseUrl: string, extra: Record<string, string> = {}) =>
    serverEnv(databaseUrl, poolMax, extra, compileCache);
  return {
    transaction: {
      name: 'transaction',
      script: SCRIPTS.service,
      env: env(pooler.pooled(url), { DB_POOL_MODE: 'transaction' }),
      node,
    },
    session: { name: 'session', script: SCRIPTS.service, env: env(url), node },
    pooler,
  };
}
