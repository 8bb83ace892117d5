// The probes: /health never touches the database; /ready reflects the database and the drain.
import { backends, createTestDatabase, type TestDatabase } from '../support/database';
import { call } from '../support/http';
import { startService, type Service } from '../support/service';

describe.each(backends)('probes on %s', (backend) => {
  let db: TestDatabase;
  let service: Service;

  beforeAll(async () => {
    db = await createTestDatabase(backend);
    service = await startService({ env: db.env });
  });
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  it('answers /health with 200 {"status":"ok"}', async () => {
    const reply = await call(service.url, 'GET', '/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
  });

  it('answers /ready with 200 when the database answers', async () => {
    const reply = await call(service.url, 'GET', '/ready');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });
});
