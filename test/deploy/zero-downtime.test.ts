// Zero downtime on SIGTERM: the production entrypoint drains under load on the real PostgreSQL, alone and behind a
// round-robin proxy during a rolling update. What counts as an accepted request is defined in support/zero-downtime/verdict.ts.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createServiceDatabase, type ServiceDatabase } from '../support/database';
import { startService, type Service } from '../support/service';
import { createUsers, keepAliveRequest, pollReadiness, type ReadinessSample } from './support/zero-downtime/clients';
import {
  holdUsernames,
  lockUsersTable,
  serviceConnections,
  type TableLock,
  type UsersTableLock,
} from './support/zero-downtime/database';
import { startLoad, type Outcome } from './support/zero-downtime/load-driver';
import { startProxy, type RoundRobinProxy } from './support/zero-downtime/round-robin-proxy';
import { describeFailures, judge, requestIdsLogged, summary } from './support/zero-downtime/verdict';
import { exitOf, expectDrainedCleanly, sleep, waitFor } from './support/zero-downtime/drain';

const CONNECTIONS = 50;
const PAUSE_MS = 40;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const HEALTH_INTERVAL_MS = 200;
// Together well under the 2 s a request waits for a pool connection while queued creates hold them all.
const LOCK_LEAD_MS = 700;
const RELEASE_AFTER_CLOSE_MS = 500;
const sleepUntil = (at: number) => sleep(Math.max(0, at - performance.now()));

interface DrainRun {
  outcomes: Outcome[];
  verdict: ReturnType<typeof judge>;
  signalAt: number;
  /** When the listener closes at the earliest: SHUTDOWN_DELAY_MS after the signal. */
  closeAt: number;
  lockReleasedAt: number;
  inFlightAtClose: Outcome[];
  readiness: ReadinessSample[];
  code: number | null;
  exitedAfterMs: number;
  connectionsBefore: number;
  service: Service;
}

/**
 * One instance under load; SIGTERM; creates queue behind a table lock taken before the signal (no delay) or
 * LOCK_LEAD_MS before the listener closes, and released RELEASE_AFTER_CLOSE_MS after it, so that requests are truly
 * in flight during the drain.
 */
async function drainUnderLoad(db: ServiceDatabase, delayMs: number): Promise<DrainRun> {
  const service = await startService({
    env: { ...db.env, SHUTDOWN_DELAY_MS: String(delayMs), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
  });
  let lock: UsersTableLock | undefined;
  try {
    lock = await lockUsersTable(db);
    const userIds = await createUsers(service.url, 20);
    const load = startLoad({ target: service.url, connections: CONNECTIONS, userIds, pauseMs: PAUSE_MS });
    const readiness = pollReadiness(service.url);
    await sleep(1000);
    await waitFor('/ready to answer 200 under load', () =>
      Promise.resolve(readiness.samples.some((sample) => sample.status === 200)),
    );
    const connectionsBefore = await serviceConnections(db);

    // With a delay the listener closes delayMs after the signal: lock shortly before that, not before the signal.
    const queueCreates = async () => {
      await lock?.acquire();
      await waitFor('3 creates waiting on the lock', async () => (await serviceConnections(db, true)) >= 3);
    };
    const lockBeforeSignal = delayMs < LOCK_LEAD_MS;
    if (lockBeforeSignal) await queueCreates();
    const signalAt = performance.now();
    service.process.kill('SIGTERM');
    const closeAt = signalAt + delayMs;
    if (!lockBeforeSignal) {
      await sleepUntil(closeAt - LOCK_LEAD_MS);
      await queueCreates();
    }
    await sleepUntil(closeAt);
    const inFlightAtClose = load.inFlight();
    await sleepUntil(closeAt + RELEASE_AFTER_CLOSE_MS);
    const lockReleasedAt = performance.now(); // nothing queued on the lock can finish before this
    await lock?.release();

    const code = await exitOf(service, SHUTDOWN_TIMEOUT_MS);
    const exitedAfterMs = performance.now() - signalAt;
    await readiness.stop();
    const outcomes = await load.stop();
    const verdict = judge(outcomes, requestIdsLogged(service.logs));
    console.log(
      `${summary(`single instance, SHUTDOWN_DELAY_MS=${delayMs}`, outcomes, verdict)}, ` +
        `in flight at close=${inFlightAtClose.length}, exit=${code} after ${Math.round(exitedAfterMs)} ms, ` +
        `node ${String(service.logs.find((line) => line.message === 'usersvc listening')?.node)}`,
    );
    return {
      outcomes,
      verdict,
      signalAt,
      closeAt,
      lockReleasedAt,
      inFlightAtClose,
      readiness: readiness.samples,
      code,
      exitedAfterMs,
      connectionsBefore,
      service,
    };
  } finally {
    await lock?.release();
    await service.stop();
  }
}

/** The checks every drain must pass, whatever the delay. */
async function expectZeroDowntime(db: ServiceDatabase, run: DrainRun, delayMs: number): Promise<void> {
  const { verdict } = run;
  expect(describeFailures(verdict.failed)).toBe('');
  // Nothing is refused or reset unread while the listener is open: only after SHUTDOWN_DELAY_MS.
  for (const outcome of verdict.notAccepted) expect(outcome.endedAt).toBeGreaterThanOrEqual(run.signalAt + delayMs);

  // Creates that were queued on the lock when the listener closed, answered 201 once it was released.
  const drainedCreates = run.inFlightAtClose.filter(
    (outcome) =>
      outcome.operation === 'create' &&
      verdict.served.includes(outcome) &&
      (outcome.endedAt ?? 0) >= run.lockReleasedAt,
  );
  expect(drainedCreates.length).toBeGreaterThanOrEqual(3);
  // Every keep-alive response sent during the drain told its client to close the connection.
  const drainedKeepAlive = verdict.served.filter(
    (outcome) => outcome.mode === 'keep-alive' && (outcome.endedAt ?? 0) >= run.lockReleasedAt,
  );
  expect(drainedKeepAlive.length).toBeGreaterThan(0);
  for (const outcome of drainedKeepAlive) expect(outcome.connection).toBe('close');

  expectDrainedCleanly(run.service, run.code, run.exitedAfterMs, SHUTDOWN_TIMEOUT_MS);
  // The pool was in use, and is gone: PostgreSQL sees no usersvc connection to this database any more.
  expect(run.connectionsBefore).toBeGreaterThan(0);
  await waitFor('the pool connections to go away', async () => (await serviceConnections(db)) === 0);
}

const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;
if (!process.env.DATABASE_URL) {
  console.warn('zero-downtime tests skipped: DATABASE_URL is not set; they drain the service on a real PostgreSQL.');
}

onPostgres(
  process.env.DATABASE_URL
    ? 'zero downtime on SIGTERM (PostgreSQL)'
    : 'zero downtime on SIGTERM (skipped: DATABASE_URL is not set; these tests need a real PostgreSQL)',
  () => {
    let db: ServiceDatabase;

    beforeEach(async () => {
      db = await createServiceDatabase('postgres');
    });
    afterEach(async () => {
      await db?.drop();
    });

    it('finishes every accepted request, creates in flight at SIGTERM included, closes the pool and exits 0 (SHUTDOWN_DELAY_MS=0)', async () => {
      const run = await drainUnderLoad(db, 0);
      await expectZeroDowntime(db, run, 0);
    });

    it('answers /ready 503 and keeps serving for SHUTDOWN_DELAY_MS, then drains every accepted request (SHUTDOWN_DELAY_MS=1000)', async () => {
      const delayMs = 1000;
      const run = await drainUnderLoad(db, delayMs);
      await expectZeroDowntime(db, run, delayMs);

      // Answered before the signal was even sent (one sent just before may be answered after it).
      const before = run.readiness.filter((sample) => sample.endedAt < run.signalAt);
      expect(before.length).toBeGreaterThan(0);
      for (const sample of before) expect(sample.status).toBe(200);
      // After the signal: 503 "draining" while the listener stays open, then refused, and never 200 again.
      const firstDraining = run.readiness.findIndex((sample) => sample.status === 503);
      expect(firstDraining).toBeGreaterThan(-1);
      const after = run.readiness.slice(firstDraining);
      expect(after.filter((sample) => sample.status === 503 && sample.draining).length).toBeGreaterThan(0);
      for (const sample of after) expect(sample.status).not.toBe(200);
      // No probe failed to connect before SHUTDOWN_DELAY_MS had passed.
      for (const sample of run.readiness) if (sample.error) expect(sample.endedAt).toBeGreaterThanOrEqual(run.closeAt);
    });

    it('closes a keep-alive connection whose request was in flight at SIGTERM, so the drain ends without the deadline', async () => {
      const service = await startService({
        env: { ...db.env, SHUTDOWN_DELAY_MS: '0', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
      });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const lock = await lockUsersTable(db);
      try {
        await lock.acquire();
        // The request goes out on a connection already used once, as a keep-alive client's would.
        const warmUp = await keepAliveRequest(agent, service.url, 'GET', '/health');
        expect(warmUp.connection).toBe('keep-alive');
        const socketClosed = new Promise<void>((resolve) => warmUp.socket.once('close', () => resolve()));
        const username = `zdka${process.pid}${Date.now()}`;
        const inFlight = keepAliveRequest(agent, service.url, 'POST', '/api/v1/users', {
          username,
          email: `${username}@example.com`,
          full_name: 'Kept Alive',
        });
        await waitFor('the create to wait on the lock', async () => (await serviceConnections(db, true)) === 1);

        const signalAt = performance.now();
        service.process.kill('SIGTERM');
        await sleep(500);
        await lock.release();
        const reply = await inFlight;
        expect(reply.status).toBe(201);
        expect(reply.socket).toBe(warmUp.socket);
        // Answered during the drain: the response says so, and the server closes the connection after it.
        expect(reply.connection).toBe('close');
        await socketClosed;

        const code = await exitOf(service, SHUTDOWN_TIMEOUT_MS);
        expectDrainedCleanly(service, code, performance.now() - signalAt, SHUTDOWN_TIMEOUT_MS);
      } finally {
        await lock.release();
        agent.destroy();
        await service.stop();
      }
    });

    it('loses no request while one of two instances behind a round-robin proxy is replaced under load', async () => {
      // Long enough for the proxy to see /ready 503 and take the instance out of rotation before the listener closes:
      // one interval plus the check's own latency. At 2 intervals (400 ms) the proxy noticed after up to 529 ms on
      // this shared 2-core machine, and a request sent on a pooled connection as the listener closed got a 502.
      const delayMs = 5 * HEALTH_INTERVAL_MS;
      const env = { ...db.env, SHUTDOWN_DELAY_MS: String(delayMs), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) };
      const [old, kept] = await Promise.all([startService({ env }), startService({ env })]);
      let replacement: Service | undefined;
      let proxy: RoundRobinProxy | undefined;
      let hold: TableLock | undefined;
      const direct = new http.Agent({ keepAlive: true });
      try {
        proxy = await startProxy({ upstreams: [old.url, kept.url], healthIntervalMs: HEALTH_INTERVAL_MS });
        await proxy.waitForRotation(old.url, true);
        await proxy.waitForRotation(kept.url, true);
        const userIds = await createUsers(proxy.url, 20);
        const load = startLoad({ target: proxy.url, connections: CONNECTIONS, userIds, pauseMs: PAUSE_MS });
        await sleep(1000);

        // The rolling update: a new instance first, in rotation before the old one is told to stop.
        replacement = await startService({ env });
        proxy.add(replacement.url);
        await proxy.waitForRotation(replacement.url, true);
        await sleep(500);

        // Three creates on keep-alive connections straight to the old instance, as a load balancer's pooled
        // connections carry them, each waiting on a username that an open transaction holds: in flight through the
        // old instance's delay and close. (A table lock would stall every instance's pool, and /ready with it.)
        const held = [1, 2, 3].map((index) => `zdheld${process.pid}n${index}n${Date.now()}`);
        hold = await holdUsernames(db, held);
        const slowCreates = held.map((username) =>
          keepAliveRequest(direct, old.url, 'POST', '/api/v1/users', {
            username,
            email: `${username}@example.com`,
            full_name: 'Held Back',
          }),
        );
        await waitFor('the held creates to wait', async () => (await serviceConnections(db, true)) === held.length);
        const signalAt = performance.now();
        old.process.kill('SIGTERM');
        await sleep(delayMs + 300);
        await hold.release();
        const slowReplies = await Promise.all(slowCreates);
        const code = await exitOf(old, SHUTDOWN_TIMEOUT_MS);
        const exitedAt = performance.now();
        await sleep(1000); // traffic goes on, on the remaining instances
        const outcomes = await load.stop();

        const logged = new Set([old, kept, replacement].flatMap((service) => [...requestIdsLogged(service.logs)]));
        const verdict = judge(outcomes, logged);
        const left = proxy.rotation.find(
          (change) => change.upstream === old.url && !change.inRotation && change.at > signalAt,
        );
        const names = new Map([
          [old.url, 'old'],
          [kept.url, 'kept'],
          [replacement.url, 'new'],
        ]);
        const forwarded = Object.entries(proxy.stats.forwarded).map(([url, count]) => `${names.get(url)}=${count}`);
        const causes = proxy.stats.badGatewayCauses.map((cause) =>
          [...names].reduce((text, [url, name]) => text.replace(url, name), cause),
        );
        const changes = proxy.rotation.map(
          (change) =>
            `${names.get(change.upstream)}${change.inRotation ? '+' : '-'}(${change.answer})@${Math.round(change.at - signalAt)}ms`,
        );
        console.log(
          `${summary('rolling update behind the proxy', outcomes, verdict)}, proxy forwarded [${forwarded.join(' ')}] ` +
            `retried=${proxy.stats.retried} 502=${proxy.stats.badGateway} ${JSON.stringify(causes)} ` +
            `503=${proxy.stats.noUpstream}, ` +
            `old instance: held creates ${JSON.stringify(slowReplies.map((reply) => [reply.status, reply.connection]))}, ` +
            `out of rotation ${left ? Math.round(left.at - signalAt) : '?'} ms after SIGTERM, ` +
            `exit=${code} after ${Math.round(exitedAt - signalAt)} ms, rotation changes (ms from SIGTERM): ${changes.join(' ')}`,
        );

        expect(describeFailures(verdict.failed)).toBe('');
        expect(verdict.notAccepted).toEqual([]);
        expect(proxy.stats.badGatewayCauses).toEqual([]);
        expect(proxy.stats.noUpstream).toBe(0);
        expect(left).toBeDefined();
        expect(left?.at).toBeLessThan(exitedAt);
        // The old instance finished what it held through its close, telling each client to reconnect; the new
        // instance took traffic.
        expect(slowReplies.map((reply) => [reply.status, reply.connection])).toEqual(held.map(() => [201, 'close']));
        expect(requestIdsLogged(old.logs).size).toBeGreaterThan(held.length);
        expect(requestIdsLogged(replacement.logs).size).toBeGreaterThan(0);
        expectDrainedCleanly(old, code, exitedAt - signalAt, SHUTDOWN_TIMEOUT_MS);
      } finally {
        await hold?.release();
        direct.destroy();
        await proxy?.close();
        await Promise.all([old.stop(), kept.stop(), replacement?.stop()]);
      }
      await waitFor('the pool connections to go away', async () => (await serviceConnections(db)) === 0);
    });
  },
);
