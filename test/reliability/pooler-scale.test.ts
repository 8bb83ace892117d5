// Past the connection budget: 12 service processes with a pool of 10 each (120 client connections) through one
// PgBouncer whose server pool is 10, all under load at once. No request fails, and PostgreSQL never sees more sessions
// than the pooler's pool: the bound the production budget computes from (docs/ARCHITECTURE.md).
import { Client } from 'pg';
import { createPostgresDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../../scripts/local-port';
import { havePgBouncer, startPgBouncer, type PgBouncer } from '../../scripts/pgbouncer';
import { startService, type Service } from '../support/service';
import { WriteLoad } from './support/write-load';

const PROCESSES = 12;
const POOL_MAX = 10;
const POOLER_SESSIONS = 10;
const LOOPS_PER_PROCESS = 12;
const LOAD_MS = 6000;
const API_KEY = 'pooler-scale-test-key-0123456789';

const describeWithPooler = process.env.DATABASE_URL && havePgBouncer() ? describe : describe.skip;
if (!havePgBouncer()) process.stderr.write('pooler-scale: pgbouncer is not installed, so this test is skipped.\n');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPooler(`${PROCESSES} processes × a pool of ${POOL_MAX} through PgBouncer's ${POOLER_SESSIONS}`, () => {
  let db: TestDatabase & { url: string };
  let pooler: PgBouncer;
  let services: Service[] = [];

  beforeAll(async () => {
    db = await createPostgresDatabase();
    await db.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET statement_timeout = '5s'`);
    pooler = await startPgBouncer({ poolSize: POOLER_SESSIONS, maxClientConnections: 500 });
    const env = {
      DATABASE_URL: pooler.pooled(db.url),
      DB_POOL_MODE: 'transaction',
      DB_POOL_MAX: String(POOL_MAX),
      API_KEY,
      LOG_LEVEL: 'warn',
    };
    // Request lines off (LOG_LEVEL=warn), so the test process is not parsing 12 services' logs under load; each
    // service is then found on a port chosen for it and polled until it answers.
    services = await Promise.all(
      Array.from({ length: PROCESSES }, async () => {
        const port = await freePort();
        const service = await startService({ env: { ...env, PORT: String(port) }, waitForListening: false });
        const url = `http://127.0.0.1:${port}`;
        for (let attempt = 0; (await fetch(`${url}/health`).catch(() => undefined))?.status !== 200; attempt++) {
          if (attempt > 600 || service.process.exitCode !== null) throw new Error(`no service:\n${service.output()}`);
          await sleep(100);
        }
        return { ...service, url, port };
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop('SIGTERM')));
    await pooler?.stop();
    await db?.drop();
  });

  it('serves every request while PostgreSQL sees no more than the pooler’s sessions', async () => {
    const watcher = new Client({ connectionString: db.url });
    await watcher.connect();
    const admin = new Client({ host: '127.0.0.1', port: pooler.port, user: 'postgres', database: 'pgbouncer' });
    await admin.connect();
    const database = new URL(db.url).pathname.slice(1);
    // The test's own sessions on the database (the watcher's and the test database's client) are not the pooler's.
    const [own] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    let peakSessions = 0;
    let peakClients = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { rows } = await watcher.query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid NOT IN (pg_backend_pid(), $2)',
          [database, own?.pid],
        );
        peakSessions = Math.max(peakSessions, Number(rows[0]?.n));
        const pools = (await admin.query('SHOW POOLS')).rows as {
          database: string;
          cl_active: string;
          cl_waiting: string;
        }[];
        const clients = pools
          .filter((pool) => pool.database === database)
          .reduce((sum, pool) => sum + Number(pool.cl_active) + Number(pool.cl_waiting), 0);
        peakClients = Math.max(peakClients, clients);
        await sleep(100);
      }
    })();

    const loads = services.map(
      (service, index) => new WriteLoad(service.url, { 'x-api-key': API_KEY }, `scale${index}x`),
    );
    const targets = await Promise.all(loads.map(async (load) => [await load.seed()]));
    const began = Date.now();
    const perKind = LOOPS_PER_PROCESS / 4;
    loads.forEach((load, index) =>
      load.start(
        { keyedCreates: perKind, unkeyedCreates: perKind, patches: 1, reads: perKind * 2 - 1 },
        targets[index] as { id: string; etag: string }[],
        [...load.seeded],
      ),
    );
    await sleep(LOAD_MS);
    await Promise.all(loads.map((load) => load.stop()));
    const seconds = (Date.now() - began) / 1000;
    watching = false;
    await watch;
    await watcher.end();
    await admin.end();

    const requests = loads.reduce((sum, load) => sum + [...load.counts.values()].reduce((a, b) => a + b, 0), 0);
    const defects = loads.flatMap((load) => load.defects);
    const failed = loads.reduce(
      (sum, load) =>
        sum + [...load.counts.entries()].filter(([key]) => !/ 20\d$/.test(key)).reduce((a, [, n]) => a + n, 0),
      0,
    );
    process.stdout.write(
      `pooler-scale: ${PROCESSES} processes × pool ${POOL_MAX}; peak client connections at PgBouncer ${peakClients}; ` +
        `peak PostgreSQL sessions ${peakSessions} (pool ${POOLER_SESSIONS}); ${requests} requests in ` +
        `${seconds.toFixed(1)} s = ${Math.round(requests / seconds)} req/s; non-2xx ${failed}\n`,
    );
    expect(defects).toEqual([]);
    expect(failed).toBe(0);
    expect(services.every((service) => service.process.exitCode === null)).toBe(true);
    expect(peakSessions).toBeLessThanOrEqual(POOLER_SESSIONS);
    expect(peakClients).toBeGreaterThan(POOLER_SESSIONS * 3);
  });
});
