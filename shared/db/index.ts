// Creates the process's one database (pool or embedded) from the configuration, and closes it on shutdown.
import { config, type Config } from '../config';
import { logger } from '../logging';
import type { Database } from './database';
import { createPostgresDatabase } from './postgres';

export type { Database, Queryable, Statement } from './database';

async function open(settings: Config): Promise<Database> {
  const { database: target } = settings;
  if (target.kind === 'postgres') {
    // Connections are made on first use, so a database that is down at start-up only delays readiness.
    return createPostgresDatabase(target, settings, (error) =>
      logger().warn('idle database connection failed', { error: error.message }),
    );
  }
  // Loaded only for the embedded database: production never pays for PGlite or the migration runner.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openEmbeddedDatabase } = require('./embedded-setup') as typeof import('./embedded-setup');
  return openEmbeddedDatabase(target.dataDir, logger());
}

let opening: Promise<Database> | undefined;
let opened: Database | undefined;

/** The process's database, opened on first use. */
export function database(): Promise<Database> {
  opening ??= open(config()).then(
    (db) => (opened = db),
    (error: unknown) => {
      opening = undefined; // let the next caller try again rather than caching the failure
      throw error;
    },
  );
  return opening;
}

/** The database if it is open, without opening it (metrics read the pool's numbers through this). */
export const openedDatabase = (): Database | undefined => opened;

/** Closes the pool (or the embedded database) if it was opened. */
export async function closeDatabase(): Promise<void> {
  if (!opening) return;
  const current = opening;
  opening = undefined;
  opened = undefined;
  await (await current.catch(() => undefined))?.close();
}
