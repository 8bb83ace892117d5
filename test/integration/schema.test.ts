// The schema gate: on a database not yet migrated, /ready says the schema is behind and the API answers 503
// SCHEMA_NOT_READY (never 500); once `migrate up` has run, both recover without a restart. A migration rolled back
// under a running app turns both back within seconds.
import { REQUIRED_MIGRATION, SCHEMA_RECHECK_MS } from '../../shared/db/schema';
import { useApp } from '../support/app';
import { backends, createPostgresDatabase, serviceEnvironment } from '../support/database';
import { call } from '../support/http';
import { startService } from '../support/service';

describe.each(backends)('an unmigrated database on %s', (backend) => {
  const service = useApp({ backend, migrated: false });

  it('answers /ready 503 naming the schema check, and the API 503 SCHEMA_NOT_READY with Retry-After', async () => {
    const ready = await call(service.url, 'GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not_ready', checks: { database: 'ok', schema: 'behind' } });
    for (const [method, url] of [
      ['GET', '/api/v1/users'],
      ['GET', '/api/v1/users/username/jdoe'],
      ['DELETE', '/api/v1/users/id/00000000-0000-4000-8000-000000000000'],
    ] as const) {
      const reply = await call(service.url, method, url);
      expect([url, reply.status, reply.body.code]).toEqual([url, 503, 'SCHEMA_NOT_READY']);
      expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    // A keyed write opens a transaction first: gated the same way.
    const keyed = await call(service.url, 'POST', '/api/v1/users', {
      json: { username: 'gated1', email: 'gated1@example.com', full_name: 'Gated One' },
      headers: { 'idempotency-key': 'schema-gate-1' },
    });
    expect([keyed.status, keyed.body.code]).toEqual([503, 'SCHEMA_NOT_READY']);
    expect((await call(service.url, 'GET', '/health')).status).toBe(200);
  });

  it('becomes ready and serves once the migrations have run, without a restart', async () => {
    await service.db.migrate();
    expect((await call(service.url, 'GET', '/ready')).body).toEqual({
      status: 'ready',
      checks: { database: 'ok', schema: 'ok' },
    });
    expect((await call(service.url, 'GET', '/api/v1/users')).status).toBe(200);
  });
});

describe.each(backends)('a migration rolled back under a running app on %s', (backend) => {
  const service = useApp({ backend });
  const ready = () => call(service.url, 'GET', '/ready');

  /** Polls /ready until its schema check says `schema`; resolves the reply and how long that took. */
  async function readyOnceSchemaIs(schema: string) {
    const began = Date.now();
    for (;;) {
      const reply = await ready();
      const checks = reply.body.checks as Record<string, string> | undefined;
      if (checks?.schema === schema || Date.now() - began > SCHEMA_RECHECK_MS * 6)
        return { reply, ms: Date.now() - began };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('turns /ready to 503 "behind" within the recheck interval, and back to 200 once re-applied', async () => {
    expect((await ready()).status).toBe(200);
    await service.db.rollback();
    const behind = await readyOnceSchemaIs('behind');
    expect(behind.reply.status).toBe(503);
    expect(behind.reply.body).toEqual({ status: 'not_ready', checks: { database: 'ok', schema: 'behind' } });
    await service.db.migrate();
    const current = await readyOnceSchemaIs('ok');
    expect(current.reply.status).toBe(200);
    expect(current.ms).toBeLessThan(1000); // a schema known to be behind is asked again on every probe
  });

  it('says "behind" at once when a query finds the table missing', async () => {
    expect((await ready()).status).toBe(200);
    await service.db.rollback();
    const keyed = await call(service.url, 'POST', '/api/v1/users', {
      json: { username: 'rolledback1', email: 'rolledback1@example.com', full_name: 'Rolled Back' },
      headers: { 'idempotency-key': 'schema-rollback-1' },
    });
    expect([keyed.status, keyed.body.code]).toEqual([503, 'SCHEMA_NOT_READY']);
    expect((await ready()).body).toEqual({ status: 'not_ready', checks: { database: 'ok', schema: 'behind' } });
    await service.db.migrate();
    expect((await ready()).status).toBe(200);
  });
});

const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('start-up on an unmigrated PostgreSQL', () => {
  it('logs the migration this build is missing', async () => {
    const db = await createPostgresDatabase({ migrated: false });
    const service = await startService({ env: serviceEnvironment(db.url) });
    try {
      for (let i = 0; i < 100 && !service.logs.some((l) => l.missingMigration); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(service.logs.find((l) => l.missingMigration)).toMatchObject({
        severity: 'WARNING',
        missingMigration: REQUIRED_MIGRATION,
      });
    } finally {
      await service.stop();
      await db.drop();
    }
  });
});
