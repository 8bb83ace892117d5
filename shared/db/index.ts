// Opens the database the configuration names: a pg Pool, or the embedded PGlite (migrated and seeded).
import type { Config } from '../config';
import type { Logger } from '../logging';
import type { Database } from './database';
import { createPostgresDatabase } from './postgres';

export type { Database, Queryable, Statement } from './database';

export async function openDatabase(settings: Config, log: Logger): Promise<Database> {
  const { database: target } = settings;
  if (target.kind === 'postgres') {
    // Connections are made on first use, so a database that is down at start-up only delays readiness.
    return createPostgresDatabase(target, settings, (error) =>
      log.warn('idle database connection failed', { error: error.message }),
    );
  }
  // Loaded only for the embedded database: production never pays for PGlite or the migration runner.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openEmbeddedDatabase } = require('./embedded-setup') as typeof import('./embedded-setup');
  return openEmbeddedDatabase(target.dataDir, log);
}

/**
 * A Database that opens on first use, for hosts that must hand over their functions before anything can be awaited
 * (Functions Framework loads functions/index.ts synchronously). A failed open is retried by the next caller.
 */
export function lazyDatabase(open: () => Promise<Database>): Database {
  let opening: Promise<Database> | undefined;
  let opened: Database | undefined;
  const database = () => {
    opening ??= open().then(
      (db) => (opened = db),
      (error: unknown) => {
        opening = undefined;
        throw error;
      },
    );
    return opening;
  };
  return {
    query: async (statement, values) => (await database()).query(statement, values),
    transaction: async (work) => (await database()).transaction(work),
    ping: async (timeoutMs) => (await database()).ping(timeoutMs),
    stats: () => opened?.stats() ?? { total: 0, idle: 0, waiting: 0 },
    close: async () => {
      const current = opening;
      opening = undefined;
      await (await current?.catch(() => undefined))?.close();
    },
  };
}
