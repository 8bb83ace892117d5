// Every response, problem details included, keeps users' data out of shared caches and forbids content sniffing. A
// single user, which has an ETag, may be kept privately and revalidated (`private, no-cache`); everything else is `no-store`.
import { useApp } from '../support/app';
import { call, type Reply } from '../support/http';

const expectHeaders = (reply: Reply<unknown>, cacheControl = 'no-store') => {
  expect([reply.status, reply.headers.get('cache-control'), reply.headers.get('x-content-type-options')]).toEqual([
    reply.status,
    cacheControl,
    'nosniff',
  ]);
};

describe('response headers', () => {
  const running = useApp();
  const users = '/api/v1/users';

  it('on user responses: list, create, read, update, delete', async () => {
    const name = `hdr${Date.now().toString(36)}`;
    const created = await call<{ id: string }>(running.url, 'POST', users, {
      json: { username: name, email: `${name}@example.com`, full_name: 'Header Test' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (const reply of [
      created,
      await call(running.url, 'GET', `${users}/id/${id}`),
      await call(running.url, 'GET', `${users}/username/${name}`),
      await call(running.url, 'PATCH', `${users}/id/${id}`, { json: { full_name: 'Header Tested' } }),
    ]) {
      expectHeaders(reply, 'private, no-cache');
    }
    for (const reply of [
      await call(running.url, 'GET', `${users}?limit=1`),
      await call(running.url, 'DELETE', `${users}/id/${id}`),
    ]) {
      expectHeaders(reply);
    }
  });

  it('on problem responses: 400, 404, 405, 413, 415', async () => {
    for (const reply of [
      await call(running.url, 'GET', `${users}/id/not-a-uuid`),
      await call(running.url, 'GET', `${users}/username/nobody00000`),
      await call(running.url, 'GET', '/nowhere'),
      await call(running.url, 'PUT', users, { json: {} }),
      await call(running.url, 'POST', users, {
        body: 'x'.repeat(70_000),
        headers: { 'content-type': 'application/json' },
      }),
      await call(running.url, 'POST', users, { body: 'a=1', headers: { 'content-type': 'text/plain' } }),
    ]) {
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expectHeaders(reply);
    }
  });

  it('on the probes and metrics', async () => {
    for (const path of ['/health', '/ready', '/metrics']) expectHeaders(await call(running.url, 'GET', path));
  });
});

describe('response headers of a 401 and a 503', () => {
  const locked = useApp({ env: { API_KEY: 'k'.repeat(32) } });
  const down = useApp({ env: { DATABASE_URL: 'postgres://appuser:pw@127.0.0.1:1/none' } });

  it('carry them too', async () => {
    expectHeaders(await call(locked.url, 'GET', '/api/v1/users'));
    expectHeaders(await call(down.url, 'GET', '/api/v1/users'));
  });
});
