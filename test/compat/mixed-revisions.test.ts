// Mixed revisions under load: the previous build serves behind the round-robin proxy on its own schema; this build
// starts beside it and is kept out of rotation by its schema gate until its migration, run mid-load with the real CLI,
// turns its /ready 200; both serve; then the previous one drains on SIGTERM and is removed. No request fails, and the
// users table holds exactly what the API acknowledged. The load, proxy and verdict are the zero-downtime test's.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createPostgresDatabase, type TestDatabase } from '../support/database';
import { call } from '../support/http';
import { startService, type Service } from '../support/service';
import { migrate } from '../../shared/db/migrate';
import { acknowledgedTable, tableDiscrepancies } from '../deploy/support/zero-downtime/acknowledged';
import { createUsers } from '../deploy/support/zero-downtime/clients';
import { exitOf, expectDrainedCleanly, waitFor } from '../deploy/support/zero-downtime/drain';
import { startLoad, type Load, type AcknowledgedUser } from '../deploy/support/zero-downtime/load-driver';
import { startProxy, type RoundRobinProxy } from '../deploy/support/zero-downtime/round-robin-proxy';
import { describeFailures, judge, requestIdsLogged, summary } from '../deploy/support/zero-downtime/verdict';
import { migrateUp, migrationsSince } from './support/migration-cli';
import { previousBuild } from './support/previous-build';
import { operationsServed } from './support/revisions';

const CONNECTIONS = 40;
const PAUSE_MS = 40;
const HEALTH_INTERVAL_MS = 200;
// As in the rolling update (test/deploy/zero-downtime.test.ts): long enough for the proxy to see /ready 503 and take
// the draining instance out of rotation before its listener closes.
const SHUTDOWN_DELAY_MS = 5 * HEALTH_INTERVAL_MS;
const SHUTDOWN_TIMEOUT_MS = 10_000;
// Each phase lasts until this many more requests were answered by the revision it is about: progress, not a clock.
const REQUESTS_PER_PHASE = 500;
// Only a bound for a run that is stuck; a phase takes seconds even on a busy 2-core machine.
const PHASE_TIMEOUT_MS = 120_000;
// Reads, creates and patches (each worker patches users it created itself: acknowledged.ts replays them).
const CYCLE = ['get', 'create', 'patch', 'list', 'get', 'create', 'patch', 'get'] as const;

const { build, missing } = previousBuild();
const runs = process.env.DATABASE_URL && build ? describe : describe.skip;
if (!build) console.warn(`mixed-revision run skipped: ${missing}`);

runs('mixed revisions under load (PostgreSQL)', () => {
  let db: TestDatabase & { url: string };
  let previous: Service | undefined;
  let current: Service | undefined;
  let proxy: RoundRobinProxy | undefined;
  let load: Load | undefined;

  afterEach(async () => {
    await load?.stop();
    await proxy?.close();
    await Promise.all([previous?.stop(), current?.stop()]);
    await db?.drop();
  });

  it('serves every request while the previous build, then both, then this build serve one database through its migration', async () => {
    if (!build) return;
    const startedAt = performance.now();
    const forwardedTo = (service: Service) => proxy?.stats.forwarded[service.url] ?? 0;
    const answered = (service: Service, count: number) => {
      const target = forwardedTo(service) + count;
      return waitFor(
        `${count} more requests through ${service.url}`,
        () => Promise.resolve(forwardedTo(service) >= target),
        PHASE_TIMEOUT_MS,
      );
    };

    // A build from before the production entrypoint cannot take part; say so rather than fail to spawn it.
    if (!existsSync(build.entrypoint))
      throw new Error(`${build.commit} has no ${build.entrypoint}: set COMPAT_BASE to a later build`);
    // The previous build's schema: its own migrations, nothing newer.
    db = await createPostgresDatabase({ migrated: false });
    await migrate({ databaseUrl: db.url }, { direction: 'up', dir: build.migrationsDir });
    const pending = migrationsSince(build.migrationsDir);
    if (pending.length === 0)
      throw new Error(`${build.commit} already has every migration here: nothing to roll out (check COMPAT_BASE)`);
    const env = {
      DATABASE_URL: db.url,
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    };

    previous = await startService({ command: [process.execPath, build.entrypoint], cwd: build.dir, env });
    proxy = await startProxy({ upstreams: [previous.url], healthIntervalMs: HEALTH_INTERVAL_MS });
    await proxy.waitForRotation(previous.url, true, PHASE_TIMEOUT_MS);
    // Only the previous build serves yet: its answers are its own document's, not this build's.
    const seedIds = await createUsers(proxy.url, 20, false);
    load = startLoad({
      target: proxy.url,
      connections: CONNECTIONS,
      userIds: seedIds,
      pauseMs: PAUSE_MS,
      cycle: CYCLE,
    });
    await answered(previous, REQUESTS_PER_PHASE);

    // This build beside it, on a schema that is behind: not ready, so no traffic, as Knative routes to ready pods only.
    current = await startService({ env });
    proxy.add(current.url);
    // What keeps it out: /ready says the schema is behind, and its API answers 503 SCHEMA_NOT_READY with Retry-After.
    // Waited for, not asked once: on a busy machine one answer may instead be a database that was slow to reply.
    const url = current.url;
    await waitFor(
      'this build to report its schema behind',
      async () => {
        const ready = await call<{ checks?: { schema?: string } }>(url, 'GET', '/ready');
        const api = await call<{ code?: string }>(url, 'GET', '/api/v1/users?limit=1');
        return (
          ready.status === 503 &&
          ready.body.checks?.schema === 'behind' &&
          api.body.code === 'SCHEMA_NOT_READY' &&
          api.headers.has('retry-after')
        );
      },
      PHASE_TIMEOUT_MS,
    );
    const checkedAtStart = proxy.stats.checked[url] ?? 0;
    await answered(previous, REQUESTS_PER_PHASE);
    await waitFor(
      '3 health checks of this build',
      () => Promise.resolve((proxy?.stats.checked[url] ?? 0) >= checkedAtStart + 3),
      PHASE_TIMEOUT_MS,
    );
    expect([proxy.inRotation(current.url), forwardedTo(current)]).toEqual([false, 0]);

    // The release's migration, mid-load, with the CLI the migration Job runs; this build turns ready without a restart.
    const migrationStartedAt = performance.now();
    const migration = await migrateUp(db.url);
    expect([migration.code, migration.output]).toEqual([0, expect.stringContaining(`up: ${pending.join(', ')}`)]);
    await proxy.waitForRotation(current.url, true, PHASE_TIMEOUT_MS);
    const joined = proxy.rotation.find((change) => change.upstream === current?.url && change.inRotation);
    expect(joined?.at).toBeGreaterThan(migrationStartedAt);
    const joinedAt = joined?.at ?? performance.now();
    await Promise.all([answered(current, REQUESTS_PER_PHASE), answered(previous, REQUESTS_PER_PHASE)]);

    // The previous revision is retired: SIGTERM, drained, removed; the load goes on on this build alone.
    const signalAt = performance.now();
    previous.process.kill('SIGTERM');
    const code = await exitOf(previous, SHUTDOWN_TIMEOUT_MS);
    const drainMs = performance.now() - signalAt;
    await proxy.waitForRotation(previous.url, false, PHASE_TIMEOUT_MS);
    proxy.remove(previous.url);
    await answered(current, REQUESTS_PER_PHASE);
    const outcomes = await load.stop();

    const verdict = judge(outcomes, new Set([...requestIdsLogged(previous.logs), ...requestIdsLogged(current.logs)]));
    const rows = await db.query<AcknowledgedUser>('SELECT id::text AS id, username, email, full_name FROM users');
    const expected = acknowledgedTable(seedIds, verdict.served);
    const byRevision = {
      previous: operationsServed(outcomes, previous.logs),
      current: operationsServed(outcomes, current.logs),
    };
    console.log(
      `${summary(`mixed revisions (previous ${build.commit})`, outcomes, verdict)}; ` +
        `proxy forwarded previous=${forwardedTo(previous)} current=${forwardedTo(current)} ` +
        `retried=${proxy.stats.retried} 502=${proxy.stats.badGateway} 503=${proxy.stats.noUpstream}; ` +
        `served by previous ${JSON.stringify(byRevision.previous)}, by current ${JSON.stringify(byRevision.current)}; ` +
        `migration ${pending.join(', ')} in ${Math.round(migration.tookMs)} ms, current ready ` +
        `${Math.round(joinedAt - startedAt)} ms into the run; previous drained in ${Math.round(drainMs)} ms (exit ${code}); ` +
        `table ${rows.length} rows = ${seedIds.length} seed + ${expected.ledger.created.size} acknowledged creates ` +
        `(${expected.patches} acknowledged patches); wall ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
    );

    expect(describeFailures(verdict.failed)).toBe('');
    expect(verdict.notAccepted).toEqual([]);
    expect(proxy.stats.badGatewayCauses).toEqual([]);
    expect(proxy.stats.noUpstream).toBe(0);
    // Both revisions served reads and writes.
    for (const served of Object.values(byRevision)) {
      for (const operation of ['get', 'create', 'patch'] as const) expect(served[operation] ?? 0).toBeGreaterThan(0);
    }
    expectDrainedCleanly(previous, code, drainMs, SHUTDOWN_TIMEOUT_MS);
    // This build started once and was never restarted: the migration alone made it ready.
    expect(current.process.exitCode).toBeNull();
    expect(current.logs.filter((line) => line.message === 'usersvc listening')).toHaveLength(1);
    // The table: every acknowledged create with its last acknowledged patch, the seed users, nothing else.
    expect(tableDiscrepancies(expected, rows)).toEqual([]);
    expect(rows).toHaveLength(seedIds.length + expected.ledger.created.size);
  });
});
