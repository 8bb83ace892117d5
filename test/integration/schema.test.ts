// The schema gate: on a database not yet migrated, /ready says the schema is behind and the API answers 503
// SCHEMA_NOT_READY (never 500); once `migrate up` has run, both recover without a restart.
import { REQUIRED_MIGRATION } from '../../shared/db/schema';
import { useApp } from '../support/app';
import { backends, createPostgresDatabase } from '../support/database';
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

const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('start-up on an unmigrated PostgreSQL', () => {
  it('logs the migration this build is missing', async () => {
    const db = await createPostgresDatabase({ migrated: false });
    const service = await startService({ env: { DATABASE_URL: db.url } });
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
