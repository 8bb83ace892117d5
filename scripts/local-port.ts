// Ports on loopback for the servers the tests and the bench start themselves: one the kernel says is free, and
// whether a PostgreSQL-protocol server (PostgreSQL itself, or PgBouncer) answers on one.
import { createServer } from 'node:net';
import { Client } from 'pg';

/** A port that was free a moment ago, for servers that cannot be told to take port 0 and report it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** True once the server on `port` accepts a trust-auth login as postgres and answers a query. */
export async function postgresAnswers(port: number): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
