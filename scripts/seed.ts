// `npm run db:seed`: inserts the three demo users unless they exist (idempotent).
import { ConfigError, loadConfig } from '../shared/config';
import { openDatabase } from '../shared/db';
import { seedDemoUsers } from '../shared/db/seed';
import { createLogger } from '../shared/logging';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const db = await openDatabase(config, logger);
  const inserted = await seedDemoUsers(db);
  process.stdout.write(`seeded ${inserted} demo user(s)\n`);
  await db.close();
  // With LOG_TARGET=cloud-logging, entries still on their way to the API.
  await logger.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `seed failed: ${String(error)}`}\n`);
  process.exit(1);
});
