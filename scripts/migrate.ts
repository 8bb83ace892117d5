// `npm run migrate up|down [count]`: applies or reverts migrations on the configured PostgreSQL (or the embedded one).
import type { ClientConfig } from 'pg';
import { ConfigError, loadConfig, type Config } from '../shared/config';
import { clientConfig } from '../shared/db/postgres';
import { startPGlite } from '../shared/db/embedded';
import { migrate, type MigrationTarget } from '../shared/db/migrate';

/**
 * node-pg-migrate holds a session-level advisory lock for the whole run, which a transaction-mode pooler would hand
 * to whichever client comes next: migrations need a direct connection there (MIGRATION_DATABASE_URL).
 */
function migrationConnection(settings: Config): ClientConfig {
  const database = settings.database as Extract<Config['database'], { kind: 'postgres' }>;
  if (database.migrationConnectionString) {
    return clientConfig(
      { ...database, connectionString: database.migrationConnectionString, poolMode: 'session' },
      settings,
    );
  }
  if (database.poolMode === 'transaction') {
    throw new ConfigError(
      'MIGRATION_DATABASE_URL',
      'must be set when DB_POOL_MODE is transaction: migrations hold a session lock, so they connect directly',
    );
  }
  return clientConfig(database, settings);
}

async function main(): Promise<void> {
  const [direction = 'up', countArg] = process.argv.slice(2);
  if (direction !== 'up' && direction !== 'down') throw new Error('usage: migrate up|down [count]');
  const count = countArg === undefined ? undefined : Number(countArg);
  if (count !== undefined && !(Number.isInteger(count) && count > 0))
    throw new Error('count must be a positive integer');

  const settings = loadConfig();
  let target: MigrationTarget;
  let close = async () => undefined as void;
  if (settings.database.kind === 'postgres') {
    target = { databaseUrl: migrationConnection(settings) };
  } else {
    const pglite = await startPGlite(settings.database.dataDir);
    target = { pglite };
    close = () => pglite.close();
  }
  const applied = await migrate(target, { direction, count, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(
    applied.length ? `${direction}: ${applied.join(', ')}\n` : `${direction}: nothing to do (schema is current)\n`,
  );
  await close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `migrate failed: ${String(error)}`}\n`);
  process.exit(1);
});
