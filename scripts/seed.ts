// `npm run db:seed`: inserts the three demo users unless they exist (idempotent).
import { ConfigError } from '../shared/config';
import { closeDatabase, database } from '../shared/db';
import { seedDemoUsers } from '../shared/db/seed';

async function main(): Promise<void> {
  const inserted = await seedDemoUsers(await database());
  process.stdout.write(`seeded ${inserted} demo user(s)\n`);
  await closeDatabase();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `seed failed: ${String(error)}`}\n`);
  process.exit(1);
});
