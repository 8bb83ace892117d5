// The zero-setup backend: PostgreSQL compiled to WebAssembly (PGlite), in-process, kept under a local folder.
import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult, Statement } from './database';

const textOf = (statement: Statement | string) => (typeof statement === 'string' ? statement : statement.text);

function queryable(target: Pick<PGlite, 'query'>): Queryable {
  return {
    async query<Row>(statement: Statement | string, values?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(textOf(statement), values as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
  };
}

/** Opens (creating if needed) the embedded database; dataDir "memory://" keeps it in memory only. */
export async function createEmbeddedDatabase(dataDir: string): Promise<{ database: Database; pglite: PGlite }> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  // Loaded on demand: production never pays for the WebAssembly module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  const database: Database = {
    kind: 'embedded',
    ...queryable(pglite),
    // PGlite is one connection; its transaction() holds it exclusively, so other queries wait their turn.
    transaction: (fn) => pglite.transaction((tx) => fn(queryable(tx))),
    async ping() {
      await pglite.query('SELECT 1');
    },
    stats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: () => pglite.close(),
  };
  return { database, pglite };
}
