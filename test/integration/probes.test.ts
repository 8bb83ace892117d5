// The probes: /health never touches the database; /ready reflects the database and the drain.
import { useApp } from '../support/app';
import { backends } from '../support/database';
import { call } from '../support/http';

describe.each(backends)('probes on %s', (backend) => {
  const running = useApp({ backend });

  it('answers /health with 200 {"status":"ok"}', async () => {
    const reply = await call(running.url, 'GET', '/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
  });

  it('answers /ready with 200 when the database answers and has this build’s schema', async () => {
    const reply = await call(running.url, 'GET', '/ready');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ready', checks: { database: 'ok', schema: 'ok' } });
  });
});
