// A failover as the service's clients see one: the test's own PostgreSQL stopped under mixed load (every session
// terminated, connections refused while it is down) and started again. While it is down every request gets 503 +
// Retry-After and /ready 503; once it accepts connections the service serves again within seconds, same process,
// and the table holds exactly what was acknowledged.
import { Client } from 'pg';
import { migrate } from '../../shared/db/migrate';
import { startService, type Service } from '../support/service';
import { postgresBinaries, startOwnPostgres, type OwnPostgres } from './support/own-postgres';
import { WriteLoad } from './support/write-load';

const API_KEY = 'failover-test-api-key-0123456789';
const DOWN_FOR_MS = 3000;
// "Within a few seconds" of PostgreSQL accepting connections, with room for a busy 2-core machine.
const RECOVER_WITHIN_MS = 10_000;

const describeIfServer = postgresBinaries() ? describe : describe.skip;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeIfServer('a PostgreSQL restart under load', () => {
  let postgres: OwnPostgres;
  let service: Service;

  beforeAll(async () => {
    postgres = await startOwnPostgres();
    const admin = new Client({ connectionString: postgres.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE usersvc');
    await admin.end();
    await migrate({ databaseUrl: postgres.url('usersvc') }, { direction: 'up' });
    service = await startService({
      env: { DATABASE_URL: postgres.url('usersvc'), API_KEY, DB_CONNECT_TIMEOUT_MS: '1000', READY_TIMEOUT_MS: '1000' },
    });
  });

  afterAll(async () => {
    await service?.stop('SIGTERM');
    await postgres?.destroy();
  });

  async function readyStatus(): Promise<number> {
    const reply = await fetch(`${service.url}/ready`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    return reply?.status ?? 0;
  }

  it('answers 503 while it is down and recovers without a restart once it is back', async () => {
    const pid = service.process.pid;
    const load = new WriteLoad(service.url, { 'x-api-key': API_KEY }, 'failover');
    const targets = [await load.seed(), await load.seed()];
    load.start({ keyedCreates: 3, unkeyedCreates: 2, patches: 2, reads: 2 }, targets, [...load.seeded]);
    await sleep(1000);

    await postgres.stop();
    const stoppedAt = Date.now();
    const readyWhileDown: number[] = [];
    while (Date.now() - stoppedAt < DOWN_FOR_MS) {
      readyWhileDown.push(await readyStatus());
      await sleep(200);
    }

    await postgres.start();
    const backAt = Date.now();
    let readyAt: number | undefined;
    while (Date.now() - backAt < RECOVER_WITHIN_MS * 2) {
      if ((await readyStatus()) === 200) {
        readyAt = Date.now();
        break;
      }
      await sleep(50);
    }
    // Writes succeeding again, not just the probe: the first 201 of an unkeyed create after the restart.
    let servingAt: number | undefined;
    while (servingAt === undefined && Date.now() - backAt < RECOVER_WITHIN_MS * 2) {
      const reply = await load.request('POST', '/api/v1/users', {
        username: `failoverprobe${Date.now()}`,
        email: `failoverprobe${Date.now()}@example.com`,
        full_name: 'Failover Probe',
      });
      if (reply.status === 201) {
        servingAt = Date.now();
        load.acknowledged.add(String(reply.body?.id));
      } else await sleep(50);
    }
    await sleep(1000);
    await load.stop();
    const { retried, replayed } = await load.settleKeyedWrites();

    const check = new Client({ connectionString: postgres.url('usersvc') });
    await check.connect();
    const rows = (await check.query<{ id: string }>('SELECT id FROM users')).rows;
    const keys = Number((await check.query<{ n: string }>('SELECT count(*) AS n FROM idempotency_keys')).rows[0]?.n);
    const refused = (await check.query('SELECT 1 FROM users WHERE username = ANY($1)', [load.refusedUsernames])).rows;
    await check.end();

    const unavailable = [...load.counts.entries()]
      .filter(([key]) => key.endsWith(' 503'))
      .reduce((sum, [, count]) => sum + count, 0);
    const expected = new Set([...load.seeded, ...load.acknowledged]);
    process.stdout.write(
      `failover: down ${DOWN_FOR_MS} ms; /ready while down ${[...new Set(readyWhileDown)].join('/')}; ` +
        `ready ${readyAt === undefined ? 'never' : `${readyAt - backAt} ms`} and first write ` +
        `${servingAt === undefined ? 'never' : `${servingAt - backAt} ms`} after PostgreSQL accepted connections; ` +
        `${load.summary()}; 503s ${unavailable}; keyed retried ${retried} (replayed ${replayed}); ` +
        `rows ${rows.length} = acknowledged ${expected.size}; idempotency records ${keys} = keys ${load.acknowledgedKeys()}\n`,
    );

    expect(service.process.exitCode).toBeNull();
    expect(service.process.pid).toBe(pid);
    expect(load.defects).toEqual([]);
    expect(readyWhileDown.every((status) => status === 503)).toBe(true);
    expect(unavailable).toBeGreaterThan(0);
    expect(readyAt).toBeDefined();
    expect((readyAt as number) - backAt).toBeLessThan(RECOVER_WITHIN_MS);
    expect(servingAt).toBeDefined();
    expect((servingAt as number) - backAt).toBeLessThan(RECOVER_WITHIN_MS);
    expect(new Set(rows.map((row) => row.id))).toEqual(expected);
    expect(keys).toBe(load.acknowledgedKeys());
    expect(refused).toEqual([]);
  });
});
