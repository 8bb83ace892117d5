// Jest's globalSetup for `npm run test:pooled`: one PgBouncer in transaction mode for the whole run, in front of
// DATABASE_URL's server. Its URL reaches the workers through TEST_POOLER_URL; test/support/database.ts then points
// every app and spawned service at it with DB_POOL_MODE=transaction.
import { startPgBouncer, type PgBouncer } from '../../scripts/pgbouncer';

declare global {
  var pgbouncer: PgBouncer | undefined;
}

export default async function setup(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error('test:pooled needs DATABASE_URL (the server PgBouncer pools)');
  const server = new URL(process.env.DATABASE_URL);
  globalThis.pgbouncer = await startPgBouncer({ serverHost: server.hostname, serverPort: Number(server.port || 5432) });
  process.env.TEST_POOLER_URL = globalThis.pgbouncer.pooled(process.env.DATABASE_URL);
}
