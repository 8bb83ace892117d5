// The zero-setup backend: PostgreSQL compiled to WebAssembly (PGlite), in-process, kept under a local folder.
import { mkdirSync } from 'node:fs';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Database, Queryable } from './database';
import { translateDriverError } from './failures';
import { withTimeout } from './timeout';

/** Starts PGlite on dataDir (created if needed); "memory://" keeps the database in memory only. */
export async function startPGlite(dataDir: string): Promise<PGlite> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  // Loaded on demand: production never pays for the WebAssembly module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  return pglite;
}

/** The Database interface over a running PGlite; closing it closes PGlite. */
export function embeddedDatabase(pglite: PGlite): Database {
  /** Queries PGlite itself, or a transaction of it; PGlite runs either alone, so nothing interleaves with a transaction. */
  const queryOn = (on: PGlite | Transaction): Queryable['query'] =>
    async function query(statement, values) {
      const text = typeof statement === 'string' ? statement : statement.text;
      const result = await on.query<never>(text, values as unknown[] | undefined).catch((error: unknown) => {
        throw translateDriverError(error);
      });
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    };
  return {
    query: queryOn(pglite),
    // PGlite commits when work resolves and rolls back (rethrowing) when it throws.
    transaction: (work) => pglite.transaction((tx) => work({ query: queryOn(tx) })),
    async ping(timeoutMs) {
      await withTimeout(pglite.query('SELECT 1'), timeoutMs, 'database ping');
    },
    // PGlite is one connection, always open.
    stats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: () => pglite.close(),
  };
}
