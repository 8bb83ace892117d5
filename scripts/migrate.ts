// `npm run migrate up|down [count]`: applies or reverts migrations on the configured PostgreSQL (or the embedded one).
import { ConfigError, loadConfig } from '../shared/config';
import { clientConfig } from '../shared/db/postgres';
import { startPGlite } from '../shared/db/embedded';
import { migrate, type MigrationTarget } from '../shared/db/migrate';

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
    target = { databaseUrl: clientConfig(settings.database, settings) };
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
