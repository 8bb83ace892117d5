// Applies the SQL files in migrations/ with node-pg-migrate, on PostgreSQL or on PGlite alike.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import { Client, type ClientBase, type ClientConfig } from 'pg';
import type { PGlite } from '@electric-sql/pglite';

/** migrations/ at the project root, found from here whether running from source or from dist/. */
function findMigrationsDir(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'migrations'))) {
      return path.join(dir, 'migrations');
    }
  }
  throw new Error(`no migrations/ folder above ${from}`);
}

export const MIGRATIONS_DIR = findMigrationsDir(__dirname);
const LOCK_RETRY_MS = 250;
const LOCK_WAIT_MS = 60_000;

export type MigrationTarget = { databaseUrl: string | ClientConfig } | { pglite: PGlite };

export interface MigrateOptions {
  direction: 'up' | 'down';
  count?: number;
  log?: (message: string) => void;
  /** Another folder of migrations (the compatibility gate migrates an older build's tests to a newer schema). */
  dir?: string;
}

/**
 * node-pg-migrate drives a pg client; PGlite answers the same protocol but its multi-statement
 * entry point is exec(), so this adapter routes parameterless SQL there and returns the last result.
 */
function pgliteClient(pglite: PGlite): ClientBase {
  const adapter = {
    async query(textOrConfig: string | { text: string; values?: unknown[] }, values?: unknown[]) {
      const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text;
      const params = values ?? (typeof textOrConfig === 'string' ? undefined : textOrConfig.values);
      if (params && params.length > 0) return pglite.query(text, params);
      const results = await pglite.exec(text);
      return results[results.length - 1] ?? { rows: [], fields: [] };
    },
  };
  // node-pg-migrate only calls query() on an external client; the cast narrows it to that contract.
  return adapter as unknown as ClientBase;
}

const isLockHeld = (error: unknown) =>
  error instanceof Error && /Another migration is already running/.test(error.message);

/**
 * Runs migrations. node-pg-migrate takes an advisory lock and fails fast when another process holds it;
 * this waits for the other run to finish instead, so two replicas or jobs starting at once both succeed.
 */
export async function migrate(target: MigrationTarget, options: MigrateOptions): Promise<string[]> {
  if ('pglite' in target) return migrateWith(pgliteClient(target.pglite), options);
  // node-pg-migrate's own client has no 'error' listener, so a session terminated mid-migration would end the process
  // with an unhandled event; on this one it fails the run with the driver's error instead.
  const client = new Client(target.databaseUrl);
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await migrateWith(client, options);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function migrateWith(dbClient: ClientBase, options: MigrateOptions): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const applied = await runner({
        dbClient,
        dir: options.dir ?? MIGRATIONS_DIR,
        migrationsTable: 'pgmigrations',
        direction: options.direction,
        count: options.count ?? (options.direction === 'up' ? Infinity : 1),
        checkOrder: true,
        log,
        verbose: false,
      });
      return applied.map((migration) => migration.name);
    } catch (error) {
      if (!isLockHeld(error) || Date.now() > deadline) throw error;
      log('another migration run holds the lock; waiting');
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }
}
