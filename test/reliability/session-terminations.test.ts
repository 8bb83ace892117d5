// Every database session of the service terminated, several rounds under mixed write and read load (as a failover,
// Cloud SQL maintenance, a pooler restart or an idle-session reaper does): the process lives on, each request that
// lost its session gets 503 + Retry-After, and the table holds exactly what was acknowledged. Run on a direct
// connection and through PgBouncer in transaction mode.
import { Client } from 'pg';
import { createPostgresDatabase, type TestDatabase } from '../support/database';
import { havePgBouncer, startPgBouncer, type PgBouncer } from '../../scripts/pgbouncer';
import { startService, type Service } from '../support/service';
import { WriteLoad } from './support/write-load';

const API_KEY = 'terminations-test-key-0123456789';
const ROUNDS = 4;
const ROUND_EVERY_MS = 2000;

const adminUrl = process.env.DATABASE_URL;
const describePostgres = adminUrl ? describe : describe.skip;
const viaPgBouncer = havePgBouncer() ? ['direct', 'pgbouncer'] : ['direct'];
if (!adminUrl) process.stderr.write('session-terminations: DATABASE_URL is unset, so these tests are skipped.\n');
if (!havePgBouncer()) process.stderr.write('session-terminations: pgbouncer is not installed; direct only.\n');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Terminates every session of the service (PgBouncer passes its application_name on); resolves how many. */
async function terminateSessions(admin: Client): Promise<number> {
  const { rows } = await admin.query<{ ended: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS ended FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = 'usersvc'`,
  );
  return Number(rows[0]?.ended ?? 0);
}

async function waitForReady(service: Service): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const reply = await fetch(`${service.url}/ready`).catch(() => undefined);
    if (reply?.status === 200) return;
    await sleep(100);
  }
  throw new Error(`service never became ready:\n${service.output()}`);
}

describePostgres.each(viaPgBouncer)('sessions terminated under load (%s)', (path) => {
  let db: TestDatabase & { url: string };
  let pooler: PgBouncer | undefined;
  let service: Service;
  let admin: Client;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    let env: Record<string, string> = { DATABASE_URL: db.url };
    if (path === 'pgbouncer') {
      pooler = await startPgBouncer({ poolSize: 10 });
      // Through the pooler the statement timeout is the role's (here the database's) default.
      await db.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET statement_timeout = '5s'`);
      env = { DATABASE_URL: pooler.pooled(db.url), DB_POOL_MODE: 'transaction' };
    }
    service = await startService({ env: { ...env, API_KEY, DB_POOL_MAX: '8' } });
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await service?.stop('SIGTERM');
    await pooler?.stop();
    await db?.drop();
  });

  it('ends each request that lost its session with a 503, and writes exactly what it acknowledged', async () => {
    await waitForReady(service);
    const pid = service.process.pid;
    const load = new WriteLoad(service.url, { 'x-api-key': API_KEY }, `term${path[0]}`);
    const targets = [await load.seed(), await load.seed(), await load.seed()];
    const readIds = [...load.seeded];
    load.start({ keyedCreates: 4, unkeyedCreates: 3, patches: 3, reads: 3 }, targets, readIds);

    const ended: number[] = [];
    await sleep(1000);
    for (let round = 0; round < ROUNDS; round++) {
      ended.push(await terminateSessions(admin));
      await sleep(ROUND_EVERY_MS);
    }
    await load.stop();
    await waitForReady(service);
    const { retried, replayed } = await load.settleKeyedWrites();

    const rows = await db.query<{ id: string }>('SELECT id FROM users');
    const [{ keys }] = (await db.query<{ keys: string }>('SELECT count(*) AS keys FROM idempotency_keys')) as [
      { keys: string },
    ];
    const refused = await db.query('SELECT username FROM users WHERE username = ANY($1)', [load.refusedUsernames]);
    const expected = new Set([...load.seeded, ...load.acknowledged]);
    process.stdout.write(
      `session-terminations (${path}): sessions ended per round ${ended.join(', ')}; ${load.summary()}; ` +
        `keyed retried ${retried} (replayed ${replayed}); rows ${rows.length} = acknowledged ${expected.size}; ` +
        `idempotency records ${keys} = acknowledged keys ${load.acknowledgedKeys()}; ` +
        `PATCH replies lost after commit ${load.lostPatchReplies}\n`,
    );

    expect(service.process.exitCode).toBeNull();
    expect(service.process.pid).toBe(pid);
    expect(service.output()).not.toMatch(/Unhandled 'error' event|uncaughtException/);
    expect(load.defects).toEqual([]);
    expect(ended.filter((count) => count > 0).length).toBeGreaterThanOrEqual(ROUNDS - 1);
    expect([...load.counts.keys()].filter((key) => key.endsWith(' 503')).length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.id))).toEqual(expected);
    expect(Number(keys)).toBe(load.acknowledgedKeys());
    expect(refused).toEqual([]);
  });
});
