// GET /metrics: request counts and latency by route template, in-flight and pool gauges, process metrics, auth.
import { randomUUID } from 'node:crypto';
import { useApp } from '../support/app';
import { backends } from '../support/database';
import { call } from '../support/http';

/** The value of one sample in a Prometheus text exposition, or 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    // A sample line is `name{label="value",...} number` (no timestamps from prom-client).
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const brace = series.indexOf('{');
    if ((brace === -1 ? series : series.slice(0, brace)) !== name) continue;
    const present = brace === -1 ? [] : series.slice(brace + 1, -1).split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(line.slice(space + 1));
  }
  return 0;
}

async function scrape(service: { url: string }, headers: Record<string, string> = {}): Promise<string> {
  const reply = await call(service.url, 'GET', '/metrics', { headers });
  expect(reply.status).toBe(200);
  return reply.text;
}

const byId = (status_class: string) => ({ method: 'GET', route: '/api/v1/users/id/:id', status_class });

describe.each(backends)('metrics on %s', (backend) => {
  const running = useApp({ backend });

  it('serves the Prometheus text format', async () => {
    const reply = await call(running.url, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(reply.text).toContain('# TYPE http_requests_total counter');
    expect(reply.text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('counts requests under their route template and status class, never under the raw id', async () => {
    const before = await scrape(running);
    const created = await call<{ id: string }>(running.url, 'POST', '/api/v1/users', {
      json: { username: `metrics${backend}`, email: `metrics-${backend}@example.com`, full_name: 'Metrics Test' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call(running.url, 'GET', `/api/v1/users/id/${id}`)).status).toBe(200);
    expect((await call(running.url, 'GET', `/api/v1/users/id/${id}`)).status).toBe(200);
    const missing = randomUUID();
    expect((await call(running.url, 'GET', `/api/v1/users/id/${missing}`)).status).toBe(404);
    expect((await call(running.url, 'GET', `/no/such/route/${missing}`)).status).toBe(404);
    const after = await scrape(running);

    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('http_requests_total', byId('2xx'))).toBe(2);
    expect(delta('http_requests_total', byId('4xx'))).toBe(1);
    expect(delta('http_requests_total', { method: 'POST', route: '/api/v1/users', status_class: '2xx' })).toBe(1);
    expect(delta('http_requests_total', { method: 'GET', route: 'unmatched', status_class: '4xx' })).toBe(1);
    // The previous scrape itself was counted once it had been answered.
    expect(delta('http_requests_total', { method: 'GET', route: '/metrics', status_class: '2xx' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', byId('2xx'))).toBe(2);
    expect(delta('http_request_duration_seconds_bucket', { ...byId('2xx'), le: '+Inf' })).toBe(2);
    expect(sample(after, 'http_request_duration_seconds_sum', byId('2xx'))).toBeGreaterThan(0);
    expect(after).not.toContain(id);
    expect(after).not.toContain(missing);
  });

  it('counts problem answers by their error code (SCHEMA_NOT_READY is alerted on from this counter)', async () => {
    const before = await scrape(running);
    expect((await call(running.url, 'GET', `/api/v1/users/id/${randomUUID()}`)).status).toBe(404);
    expect((await call(running.url, 'GET', '/api/v1/users?limit=0')).status).toBe(400);
    const after = await scrape(running);

    const delta = (code: string) =>
      sample(after, 'http_problems_total', { code }) - sample(before, 'http_problems_total', { code });
    expect(after).toContain('# TYPE http_problems_total counter');
    expect(delta('USER_NOT_FOUND')).toBe(1);
    expect(delta('VALIDATION_FAILED')).toBe(1);
  });

  it('counts only the scrape itself as in flight once every other request has been answered', async () => {
    await Promise.all([1, 2, 3].map(() => call(running.url, 'GET', '/api/v1/users?limit=1')));
    expect(sample(await scrape(running), 'http_requests_in_flight')).toBe(1);
  });

  it('reports the database pool as read at scrape time', async () => {
    expect((await call(running.url, 'GET', '/api/v1/users?limit=1')).status).toBe(200);
    const text = await scrape(running);
    for (const name of ['db_pool_connections', 'db_pool_connections_idle', 'db_pool_clients_waiting']) {
      expect(text).toContain(`# TYPE ${name} gauge`);
    }
    // The query above left at least one connection open and idle in the pool; nobody waits for one.
    expect(sample(text, 'db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'db_pool_connections_idle')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'db_pool_clients_waiting')).toBe(0);
  });

  it("reports the process's own metrics", async () => {
    const text = await scrape(running);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(text).toContain(`nodejs_version_info{version="${process.version}"`);
  });
});

describe('metrics behind API_KEY', () => {
  const KEY = 'metrics-key-0123456789abcdef';
  const service = useApp({ env: { API_KEY: KEY } });

  it('answers /metrics without the key with 401 and with the key with 200', async () => {
    const without = await call(service.url, 'GET', '/metrics');
    expect(without.status).toBe(401);
    expect(without.body).toMatchObject({ code: 'API_KEY_MISSING' });
    expect(without.text).not.toContain('http_requests_total');
    expect(
      (await call(service.url, 'GET', '/metrics', { headers: { 'x-api-key': 'wrong-key-0123456789abcdef' } })).status,
    ).toBe(403);
    const text = await scrape(service, { 'x-api-key': KEY });
    expect(sample(text, 'http_requests_total', { method: 'GET', status_class: '4xx' })).toBeGreaterThanOrEqual(2);
  });
});
