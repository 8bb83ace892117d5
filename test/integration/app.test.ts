// createApp builds a self-contained app: two apps in one process share no state, and each target serves its route.
import { routes } from '../../functions/routes';
import { startApp, type TestApp } from '../support/app';
import { call } from '../support/http';

describe('createApp', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await startApp();
    second = await startApp({ env: { API_KEY: 'second-app-key-0123456789' } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('gives each app its own configuration: the key of one is not required by the other', async () => {
    expect((await call(first.url, 'GET', '/api/v1/users?limit=1')).status).toBe(200);
    expect((await call(second.url, 'GET', '/api/v1/users?limit=1')).status).toBe(401);
  });

  it('gives each app its own metrics', async () => {
    for (let i = 0; i < 3; i++) await call(first.url, 'GET', '/health');
    const count = (text: string) =>
      Number(/http_requests_total\{method="GET",route="\/health",status_class="2xx"\} (\d+)/.exec(text)?.[1] ?? 0);
    expect(count(await first.app.context.metrics.exposition())).toBeGreaterThanOrEqual(3);
    expect(count(await second.app.context.metrics.exposition())).toBe(0);
  });

  it('gives each app its own drain: draining one leaves the other ready', async () => {
    const app = await startApp();
    try {
      app.app.context.drain.start();
      const draining = await call(app.url, 'GET', '/ready');
      expect(draining.status).toBe(503);
      expect(draining.body).toEqual({ status: 'not_ready', checks: { shutdown: 'draining' } });
      expect((await call(first.url, 'GET', '/ready')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('builds one target per route of the table', () => {
    expect(Object.keys(first.app.targets).sort()).toEqual(Object.keys(routes).sort());
  });
});
