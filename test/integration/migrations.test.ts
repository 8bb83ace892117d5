// Migrations: the CLI applies and reverts them, two runs at once both succeed, the schema is what the API needs, and a
// session lost mid-run fails the run, not the process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { migrate as migrateWith } from '../../shared/db/migrate';
import { createPostgresDatabase } from '../support/database';
import { ROOT } from '../support/service';

const run = promisify(execFile);
const MIGRATIONS = readdirSync(path.join(ROOT, 'migrations'))
  .filter((file) => file.endsWith('.sql'))
  .map((file) => file.replace(/\.sql$/, ''))
  .sort();
const MIGRATE = path.join(ROOT, 'dist/scripts/migrate.js');
const adminUrl = process.env.DATABASE_URL;
const describeOnPostgres = adminUrl ? describe : describe.skip;

describeOnPostgres('npm run migrate on PostgreSQL', () => {
  const name = `usersvc_migrate_${randomBytes(4).toString('hex')}`;
  let url: string;
  const query = async (sql: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const migrate = (...args: string[]) =>
    run(process.execPath, [MIGRATE, ...args], { env: { ...process.env, DATABASE_URL: url } });

  beforeAll(async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const parsed = new URL(adminUrl as string);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  });
  afterAll(async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('applies every migration when two processes run it at once, and both exit 0', async () => {
    const [first, second] = await Promise.all([migrate('up'), migrate('up')]);
    expect(`${first.stdout}${second.stdout}`).toMatch(/up: 1764086400000_create-users/);
    const applied = await query('SELECT name FROM pgmigrations ORDER BY run_on, id');
    expect(applied).toEqual(MIGRATIONS.map((name) => ({ name })));
  });

  it('creates the indexes the API relies on: unique lower(username), unique email, (created_at, id)', async () => {
    const indexes = await query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'users' ORDER BY indexname`);
    const definitions = indexes.map((row) => String(row.indexdef)).join('\n');
    expect(definitions).toMatch(
      /UNIQUE INDEX users_username_lower_key ON public\.users USING btree \(lower\(\(username\)::text\)\)/,
    );
    expect(definitions).toMatch(/UNIQUE INDEX users_email_key ON public\.users USING btree \(email\)/);
    expect(definitions).toMatch(/INDEX users_created_at_id_idx ON public\.users USING btree \(created_at, id\)/);
    expect(definitions).toMatch(/UNIQUE INDEX users_pkey/);
  });

  it('reverts the newest with down, all of them with down N, and re-applies with up', async () => {
    const versionColumn = `SELECT count(*)::int AS n FROM information_schema.columns
      WHERE table_name = 'users' AND column_name = 'version'`;
    const keysTable = `SELECT to_regclass('public.idempotency_keys')::text AS t`;
    expect(await query(keysTable)).toEqual([{ t: 'idempotency_keys' }]);
    await migrate('down');
    expect(await query(keysTable)).toEqual([{ t: null }]);
    expect(await query(versionColumn)).toEqual([{ n: 1 }]);
    await migrate('down');
    expect(await query(versionColumn)).toEqual([{ n: 0 }]);
    await migrate('down', String(MIGRATIONS.length - 2));
    expect(await query(`SELECT to_regclass('public.users') AS users`)).toEqual([{ users: null }]);
    const { stdout } = await migrate('up');
    expect(stdout).toMatch(/up: 1764086400000_create-users/);
    expect(await query(`SELECT to_regclass('public.users')::text AS users`)).toEqual([{ users: 'users' }]);
    expect(await query(versionColumn)).toEqual([{ n: 1 }]);
    expect(await query(keysTable)).toEqual([{ t: 'idempotency_keys' }]);
  });

  it('inserts no data: the schema migration leaves the table empty', async () => {
    expect(await query('SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }]);
  });

  it('seeds the three demo users idempotently with npm run db:seed', async () => {
    const seed = (env: NodeJS.ProcessEnv) =>
      run(process.execPath, [path.join(ROOT, 'dist/scripts/seed.js')], { env: { ...process.env, ...env } });
    expect((await seed({ DATABASE_URL: url })).stdout).toMatch(/seeded 3 demo user/);
    expect((await seed({ DATABASE_URL: url })).stdout).toMatch(/seeded 0 demo user/);
    const users = await query('SELECT username FROM users ORDER BY username');
    expect(users.map((u) => u.username)).toEqual(['asmith', 'bjones', 'jdoe']);
  });
});

describeOnPostgres('a migration whose session is terminated', () => {
  it('fails the run with the driver error instead of ending the process', async () => {
    const database = await createPostgresDatabase({ migrated: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'usersvc-slow-migration-'));
    writeFileSync(path.join(dir, '1700000000000_slow.sql'), '-- Up Migration\nSELECT pg_sleep(30);\n');
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      const running = migrateWith({ databaseUrl: database.url }, { direction: 'up', dir });
      const outcome = running.then(
        () => 'resolved',
        (error: { code?: string }) => error.code,
      );
      for (let ended = 0; ended === 0;) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const { rows } = await admin.query<{ ended: string }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS ended FROM pg_stat_activity
           WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()`,
        );
        ended = Number(rows[0]?.ended);
      }
      // Reaching this line at all means the Jest worker survived the 'error' event of the migration's client.
      expect(await outcome).toBe('57P01');
    } finally {
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  });
});
