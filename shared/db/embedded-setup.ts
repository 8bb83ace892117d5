// Makes an embedded database ready to serve: migrated on every start, seeded with the demo users once.
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../logging';
import type { Database } from './database';
import { embeddedDatabase, startPGlite } from './embedded';
import { migrate } from './migrate';
import { seedDemoUsers } from './seed';

/** Migrates PGlite and, when that created the users table, seeds the demo users; returns it as a Database. */
export async function prepareEmbeddedDatabase(pglite: PGlite, log: Logger): Promise<Database> {
  const database = embeddedDatabase(pglite);
  const applied = await migrate({ pglite }, { direction: 'up' });
  if (applied.length > 0) log.info('embedded database migrated', { applied });
  // A fresh embedded database gets the demo users once; a user's own deletions are kept after that.
  if (applied.includes('1764086400000_create-users')) {
    const seeded = await seedDemoUsers(database);
    log.info('embedded database seeded with demo users', { seeded });
  }
  return database;
}

export async function openEmbeddedDatabase(dataDir: string, log: Logger): Promise<Database> {
  return prepareEmbeddedDatabase(await startPGlite(dataDir), log);
}
