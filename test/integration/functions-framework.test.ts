// The same API through Functions Framework's own app (as `functions-framework --target=api` serves it): every route
// of the table and every error the pipeline or the framework adapter answers. The other HTTP suites run once, on
// node:http as production serves it; this one proves the framework path answers alike.
import { routes } from '../../functions/routes';
import { errorCatalogue, type ErrorCode } from '../../shared/errors';
import { startTokenIssuer, TEST_AUDIENCE, type TokenIssuer } from '../../scripts/token-issuer';
import { startApp, useApp, type TestApp } from '../support/app';
import { backends } from '../support/database';
import { call, type Reply } from '../support/http';
import { rawRequest } from '../support/node-request';

const PROBLEM = /^application\/problem\+json; charset=utf-8$/;
/**
 * Answered by our node:http server before any pipeline runs (client-errors.test.ts, connections.test.ts), or only on a
 * fault: a bug, a deadlock, a concurrent retry, a schema behind the build (db-failures, races, idempotency, schema).
 */
const NOT_ON_THIS_PATH: ErrorCode[] = [
  'MALFORMED_REQUEST',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'INTERNAL',
  'WRITE_CONFLICT',
  'IDEMPOTENCY_KEY_IN_USE',
  'SCHEMA_NOT_READY',
  // An identity provider that cannot be reached: test/integration/bearer.test.ts.
  'IDENTITY_PROVIDER_UNAVAILABLE',
];

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${counter++}`;
const newUser = (name: string) => ({ username: name, email: `${name}@example.com`, full_name: 'Framework User' });

const codesSeen = new Set<string>();
const routesCalled = new Set<string>();

function expectProblem(reply: Pick<Reply, 'status' | 'headers' | 'body'>, status: number, code: ErrorCode) {
  expect([reply.status, reply.body.code]).toEqual([status, code]);
  expect(reply.headers.get('content-type')).toMatch(PROBLEM);
  expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
  expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
  codesSeen.add(code);
}

describe.each(backends)('the API through Functions Framework on %s', (backend) => {
  const running = useApp({ backend, via: 'functions-framework' });
  const send = (method: string, template: string, path = template, options?: Parameters<typeof call>[3]) => {
    routesCalled.add(`${method} ${template}`);
    return call(running.url, method, path, options);
  };

  it('serves every route of the table', async () => {
    expect((await send('GET', '/health')).status).toBe(200);
    expect((await send('GET', '/ready')).body).toMatchObject({ status: 'ready' });
    expect((await send('GET', '/openapi.json')).body).toMatchObject({ openapi: expect.any(String) });
    expect((await send('GET', '/metrics')).text).toContain('http_requests_total');
    expect((await send('GET', '/docs')).headers.get('content-type')).toMatch(/^text\/html/);
    expect((await send('GET', '/docs/:asset', '/docs/swagger-ui.css')).status).toBe(200);

    const name = unique('ff');
    const created = await send('POST', '/api/v1/users', '/api/v1/users', { json: newUser(name) });
    expect(created.status).toBe(201);
    const byId = `/api/v1/users/id/${String(created.body.id)}`;
    expect(created.headers.get('location')).toBe(byId);
    const fetched = await send('GET', '/api/v1/users/id/:id', byId);
    expect(fetched.body).toEqual(created.body);
    const etag = fetched.headers.get('etag') as string;
    const unchanged = await send('GET', '/api/v1/users/id/:id', byId, { headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);
    const named = await send('GET', '/api/v1/users/username/:username', `/api/v1/users/username/${name}`);
    expect(named.body.id).toBe(created.body.id);
    const page = await send('GET', '/api/v1/users', '/api/v1/users?limit=1');
    expect(page.body).toMatchObject({ data: [expect.any(Object)] });
    const patched = await send('PATCH', '/api/v1/users/id/:id', byId, {
      json: { full_name: 'Renamed User' },
      headers: { 'if-match': etag },
    });
    expect([patched.status, patched.body.full_name]).toEqual([200, 'Renamed User']);
    expect((await send('DELETE', '/api/v1/users/id/:id', byId)).status).toBe(204);
    expect((await call(running.url, 'GET', byId)).status).toBe(404);
  });

  it('answers each error of the request and the body as problem details', async () => {
    const url = running.url;
    const post = (options: Parameters<typeof call>[3]) => call(url, 'POST', '/api/v1/users', options);
    const json = { 'content-type': 'application/json' };
    expectProblem(await post({ body: '{"username":', headers: json }), 400, 'MALFORMED_JSON');
    expectProblem(await post({ json: { username: 'x' } }), 400, 'VALIDATION_FAILED');
    expectProblem(
      await post({ body: 'a=b', headers: { 'content-type': 'text/plain' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(await call(url, 'GET', '/api/v1/nothing'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await call(url, 'GET', '/api/v1/users/username/nobody0'), 404, 'USER_NOT_FOUND');
    const wrongMethod = await call(url, 'PUT', '/api/v1/users');
    expectProblem(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST, HEAD');
    expectProblem(await call(url, 'GET', '/api/v1/users/username/%E0%A4%A'), 400, 'VALIDATION_FAILED');
    // The paths Express would answer itself, and a target that is not a path.
    expectProblem(await call(url, 'GET', '/favicon.ico'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await call(url, 'GET', '/Robots.txt/x'), 404, 'ROUTE_NOT_FOUND');
    const star = await rawRequest(url, { method: 'OPTIONS', path: '*' }, (r) => r.end());
    expect([star.status, star.headers['content-type']]).toEqual([404, 'application/problem+json; charset=utf-8']);

    const name = unique('ffe');
    const created = await post({ json: newUser(name) });
    expectProblem(await post({ json: newUser(name) }), 409, 'USER_CONFLICT');
    const byId = `/api/v1/users/id/${String(created.body.id)}`;
    const stale = { json: { full_name: 'Other Name' }, headers: { 'if-match': '"999999999"' } };
    expectProblem(await call(url, 'PATCH', byId, stale), 412, 'PRECONDITION_FAILED');
    const keyed = (body: object) => post({ json: body, headers: { 'idempotency-key': `key-${name}` } });
    expect((await keyed(newUser(`${name}k`))).status).toBe(201);
    expectProblem(await keyed(newUser(`${name}j`)), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses a body over the limit, or in a transfer coding it does not decode, unread, and closes', async () => {
    const target = `${running.url}/api/v1/users`;
    const headers = (extra: Record<string, string>) => ({ 'content-type': 'application/json', ...extra });
    for (const [extra, status, code] of [
      [{ 'content-length': '10000000' }, 413, 'PAYLOAD_TOO_LARGE'],
      [{ 'transfer-encoding': 'gzip, chunked' }, 400, 'UNSUPPORTED_TRANSFER_CODING'],
    ] as const) {
      const reply = await rawRequest(target, { method: 'POST', headers: headers(extra) }, (r) => r.flushHeaders());
      expect([reply.status, reply.headers.connection]).toEqual([status, 'close']);
      expectProblem(
        { ...reply, headers: new Headers(reply.headers as Record<string, string>), body: JSON.parse(reply.body) },
        status,
        code,
      );
    }
  });
});

describe('API keys through Functions Framework', () => {
  const running = useApp({ via: 'functions-framework', env: { API_KEY: 'framework-api-key-1' } });

  it('answers a missing key with 401 and a wrong one with 403, and a right one with the API', async () => {
    expectProblem(await call(running.url, 'GET', '/api/v1/users'), 401, 'API_KEY_MISSING');
    const wrong = { headers: { 'x-api-key': 'other-api-key-0001' } };
    expectProblem(await call(running.url, 'GET', '/api/v1/users', wrong), 403, 'API_KEY_INVALID');
    const right = { headers: { 'x-api-key': 'framework-api-key-1' } };
    expect((await call(running.url, 'GET', '/api/v1/users', right)).status).toBe(200);
  });
});

describe('bearer tokens through Functions Framework', () => {
  let issuer: TokenIssuer;
  let running: TestApp;
  beforeAll(async () => {
    issuer = await startTokenIssuer();
    running = await startApp({
      via: 'functions-framework',
      env: { AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: TEST_AUDIENCE, API_KEY: 'framework-api-key-1' },
    });
  });
  afterAll(async () => {
    await running?.close();
    await issuer?.close();
  });

  it('answers no credential 401, a bad token 401, a missing scope 403 and two credentials 400', async () => {
    const users = '/api/v1/users';
    const bearer = async (claims: Record<string, unknown>) => ({
      authorization: `Bearer ${await issuer.mint(claims)}`,
    });
    expectProblem(await call(running.url, 'GET', users), 401, 'AUTHENTICATION_REQUIRED');
    expectProblem(await call(running.url, 'GET', users, { headers: await bearer({ aud: 'x' }) }), 401, 'TOKEN_INVALID');
    const reader = await bearer({ scope: 'users:read' });
    expectProblem(await call(running.url, 'GET', '/metrics', { headers: reader }), 403, 'INSUFFICIENT_SCOPE');
    const both = { ...reader, 'x-api-key': 'framework-api-key-1' };
    expectProblem(await call(running.url, 'GET', users, { headers: both }), 400, 'CREDENTIALS_CONFLICT');
    expect((await call(running.url, 'GET', users, { headers: reader })).status).toBe(200);
  });
});

describe('an unreachable database through Functions Framework', () => {
  // Port 1 on loopback refuses at once: the app starts, but every query fails to connect.
  const running = useApp({ via: 'functions-framework', env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' } });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After', async () => {
    const reply = await call(running.url, 'GET', '/api/v1/users');
    expectProblem(reply, 503, 'DATABASE_UNAVAILABLE');
    expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('what this suite covers', () => {
  it('called every route of the table and met every error but those pinned elsewhere', () => {
    const table = Object.values(routes).map((route) => `${route.method} ${route.path}`);
    expect([...routesCalled].sort()).toEqual([...new Set(table)].sort());
    const expected = Object.keys(errorCatalogue).filter((code) => !NOT_ON_THIS_PATH.includes(code as ErrorCode));
    expect([...codesSeen].sort()).toEqual(expected.sort());
  });
});
