// DB_POOL_MODE=transaction behind Debian's PgBouncer (transaction mode, ignore_startup_parameters at its default):
// the server-side statement timeout still cuts a slow statement, /ready refuses a role without one, and migrations
// take the direct connection. The whole HTTP suite through the pooler is `npm run test:pooled`.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../shared/config';
import { openDatabase } from '../../shared/db';
import type { Database } from '../../shared/db/database';
import { AppError } from '../../shared/errors';
import { createLogger } from '../../shared/logging';
import { startApp, type TestApp } from '../support/app';
import { createPostgresDatabase, type TestDatabase } from '../support/database';
import { call } from '../support/http';
import { captureLogs } from '../support/logs';
import { havePgBouncer, startPgBouncer, type PgBouncer } from '../../scripts/pgbouncer';
import { ROOT } from '../support/service';

const run = promisify(execFile);
const MIGRATE = path.join(ROOT, 'dist/scripts/migrate.js');
const describeWithPooler = process.env.DATABASE_URL && havePgBouncer() ? describe : describe.skip;
if (!havePgBouncer()) process.stderr.write('pooler.test.ts: pgbouncer is not installed, so these tests are skipped.\n');

describeWithPooler('DB_POOL_MODE=transaction through PgBouncer', () => {
  let pooler: PgBouncer;
  // A database of each block's own: PgBouncer keeps server sessions per database, and a session takes the database's
  // defaults when it starts, so one block's setting must not meet the other's sessions.
  let database: TestDatabase & { url: string };
  const name = () => new URL(database.url).pathname.slice(1);
  const pooledEnv = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: pooler.pooled(database.url),
    DB_POOL_MODE: 'transaction',
    ...extra,
  });

  beforeAll(async () => {
    pooler = await startPgBouncer({ poolSize: 4 });
  });
  afterAll(async () => {
    await database?.drop();
    await pooler?.stop();
  });
  const freshDatabase = async () => {
    await database?.drop();
    database = await createPostgresDatabase();
  };

  describe('with no statement_timeout on the role or database', () => {
    let app: TestApp;
    beforeAll(async () => {
      await freshDatabase();
      // `npm run test:pooled` gives every test database a default; this block needs none.
      await database.query(`ALTER DATABASE ${name()} RESET statement_timeout`);
      app = await startApp({ env: pooledEnv() });
    });
    afterAll(() => app?.close());

    it('answers /ready 503 statement_timeout_unbounded and logs how to set it', async () => {
      const ready = await call(app.url, 'GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'not_ready', checks: { database: 'statement_timeout_unbounded' } });
      expect(app.logs.find((line) => line.serverTimeoutMs !== undefined)).toMatchObject({
        severity: 'WARNING',
        serverTimeoutMs: 0,
        wantedAtMostMs: 5000,
      });
    });
  });

  describe("with the database's statement_timeout at 1 s", () => {
    let db: Database;
    beforeAll(async () => {
      await freshDatabase();
      await database.query(`ALTER DATABASE ${name()} SET statement_timeout = '1s'`);
      const config = loadConfig(pooledEnv({ DB_STATEMENT_TIMEOUT_MS: '1000' }));
      db = await openDatabase(config, createLogger(config, captureLogs().stream));
    });
    afterAll(() => db?.close());

    it('cuts a slow statement on the server (57014), alone or in a transaction', async () => {
      for (const slow of [
        () => db.query('SELECT pg_sleep(3)'),
        () => db.transaction((tx) => tx.query('SELECT pg_sleep(3)')),
      ]) {
        const error = (await slow().catch((caught: unknown) => caught)) as AppError;
        expect(error).toBeInstanceOf(AppError);
        expect(error.code).toBe('DATABASE_UNAVAILABLE');
        // The server's cancel, not the client-side read timeout (which would leave the statement running).
        expect((error.cause as { code?: string }).code).toBe('57014');
      }
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    it('is ready when the server bounds statements within DB_STATEMENT_TIMEOUT_MS', async () => {
      await expect(db.ping(2000)).resolves.toBeUndefined();
    });
  });

  describe('npm run migrate', () => {
    it('refuses to run through the pooler without MIGRATION_DATABASE_URL', async () => {
      const failed = await run(process.execPath, [MIGRATE, 'up'], {
        env: { ...process.env, ...pooledEnv() },
      }).catch((error: { code: number; stderr: string }) => error);
      expect(failed).toMatchObject({ code: 1 });
      expect((failed as { stderr: string }).stderr).toMatch(
        /MIGRATION_DATABASE_URL must be set when DB_POOL_MODE is transaction/,
      );
    });

    it('migrates over MIGRATION_DATABASE_URL, the direct connection', async () => {
      // DATABASE_URL points nowhere: only the direct connection can have done the work.
      const env = { ...process.env, ...pooledEnv({ MIGRATION_DATABASE_URL: database.url }) };
      env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/nowhere';
      const migrated = await run(process.execPath, [MIGRATE, 'up'], { env });
      expect(migrated.stdout).toMatch(/nothing to do \(schema is current\)/);
    });
  });
});
