// The probes: /health never touches the database; /ready reflects the database and the drain.
import { backends } from '../support/database';
import { call } from '../support/http';
import { useServiceOn } from '../support/fixture';

describe.each(backends)('probes on %s', (backend) => {
  const running = useServiceOn(backend);

  it('answers /health with 200 {"status":"ok"}', async () => {
    const reply = await call(running.service.url, 'GET', '/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
  });

  it('answers /ready with 200 when the database answers', async () => {
    const reply = await call(running.service.url, 'GET', '/ready');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });
});
