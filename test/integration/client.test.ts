// The typed client (clients/typescript): against the service on each backend (every operation, problem details as
// ProblemError, request ids, `npm run smoke`), and against a stub for what the service will not do on demand (503 with
// Retry-After, a hang, a proxy's error page). Packed and installed as another service would: test/e2e/client-package.test.ts.
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import {
  createUsersClient,
  HttpError,
  ProblemError,
  retryAfterMs,
  TimeoutError,
  UsersvcError,
} from '../../clients/typescript/src';
import { runSmoke } from '../../clients/typescript/scripts/smoke';
import { useApp } from '../support/app';
import { backends } from '../support/database';
import { call } from '../support/http';
import { ROOT } from '../support/service';
import { thrown } from '../support/thrown';

const run = promisify(execFile);
const KEY = 'client-key-0123456789abc';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(backends)('the client against the service (%s)', (backend) => {
  const service = useApp({ backend, env: { API_KEY: KEY } });
  const client = () => createUsersClient({ baseUrl: service.url, apiKey: KEY });

  it('calls every operation with typed results', async () => {
    const users = client();
    expect(await users.health()).toEqual({ status: 'ok' });
    expect(await users.ready()).toMatchObject({ status: 'ready', checks: { database: 'ok' } });
    expect(await users.openApi()).toHaveProperty('openapi', '3.1.0');
    expect(await users.metrics()).toContain('# TYPE http_requests_total counter');
    const created = await users.createUser({ username: 'typed1', email: 'Typed1@Example.com', full_name: 'Typed One' });
    expect(created).toMatchObject({ username: 'typed1', email: 'typed1@example.com' });
    expect(await users.getUserById(created.id)).toEqual(created);
    expect((await users.getUserByUsername('TYPED1')).id).toBe(created.id);
    const patched = await users.patchUser(created.id, { full_name: 'Typed Uno' });
    expect(patched.full_name).toBe('Typed Uno');
    const first = await users.listUsers({ limit: 1 });
    expect(first.data).toHaveLength(1);
    const rest = await users.listUsers({ limit: 200, cursor: first.next_cursor ?? undefined });
    expect([...first.data, ...rest.data].map((u) => u.id)).toContain(created.id);
    await users.deleteUser(created.id);
    await users.deleteUser(created.id); // idempotent
  });

  it('sends its own idempotencyKey: the same key twice is one user, the retry answered with the first', async () => {
    const users = client();
    const key = `client-${Date.now()}`;
    const user = { username: `keyed${Date.now().toString(36)}`, email: 'keyed@example.com', full_name: 'Keyed One' };
    const created = await users.createUser(user, { idempotencyKey: key });
    expect(await users.createUser(user, { idempotencyKey: key })).toEqual(created);
    await users.deleteUser(created.id);
  });

  it('throws problem details as a typed ProblemError', async () => {
    const users = client();
    const missing = await thrown(users.getUserById('00000000-0000-4000-8000-000000000000'));
    expect(missing).toBeInstanceOf(ProblemError);
    const problem = missing as ProblemError;
    expect([problem.status, problem.code]).toEqual([404, 'USER_NOT_FOUND']);
    expect(problem.problem.type).toBe('urn:usersvc:problem:user-not-found');

    const invalid = (await thrown(
      users.createUser({ username: 'bad_name!', email: 'x@example.com', full_name: 'Bad Name' }),
    )) as ProblemError;
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect(invalid.errors.map((e) => e.field)).toContain('username');

    await users.createUser({ username: 'typed2', email: 'typed2@example.com', full_name: 'Typed Two' });
    const duplicate = (await thrown(
      users.createUser({ username: 'TYPED2', email: 'other2@example.com', full_name: 'Typed Two' }),
    )) as ProblemError;
    expect([duplicate.status, duplicate.code]).toEqual([409, 'USER_CONFLICT']);

    const noKey = (await thrown(createUsersClient({ baseUrl: service.url }).listUsers())) as ProblemError;
    expect(noKey.code).toBe('API_KEY_MISSING');
    const wrongKey = createUsersClient({ baseUrl: service.url, apiKey: 'wrong-key-0123456789abc' });
    expect(((await thrown(wrongKey.listUsers())) as ProblemError).code).toBe('API_KEY_INVALID');
    expect(await wrongKey.health()).toEqual({ status: 'ok' }); // probes stay public
  });

  it('propagates the request id: the call’s, else the client’s hook, else a new UUID per call', async () => {
    const hooked = createUsersClient({ baseUrl: service.url, apiKey: KEY, requestId: () => 'upstream-req-42' });
    const byCall = (await thrown(
      hooked.getUserByUsername('nosuchuser', { requestId: 'caller-req-7' }),
    )) as ProblemError;
    expect([byCall.requestId, byCall.problem.request_id]).toEqual(['caller-req-7', 'caller-req-7']);
    expect(((await thrown(hooked.getUserByUsername('nosuchuser'))) as ProblemError).requestId).toBe('upstream-req-42');
    const fresh = client();
    const ids = await Promise.all(
      [1, 2].map(async () => ((await thrown(fresh.getUserByUsername('nosuchuser'))) as ProblemError).requestId),
    );
    expect(ids[0]).toMatch(UUID);
    expect(ids[0]).not.toBe(ids[1]);
    // The service logged the caller's id on its request line.
    expect(service.logs.some((line) => line.request_id === 'caller-req-7')).toBe(true);
  });

  it('passes `npm run smoke -- URL KEY` and leaves no user behind', async () => {
    const count = async () =>
      (
        await call<{ data: unknown[] }>(service.url, 'GET', '/api/v1/users?limit=200', {
          headers: { 'x-api-key': KEY },
        })
      ).body.data.length;
    const before = await count();
    const { stdout } = await run('npm', ['run', 'smoke', '--silent', '--', service.url, KEY], { cwd: ROOT });
    expect(stdout).toMatch(/^ok {3}every operation of the document exercised$/m);
    expect(stdout).toMatch(/smoke: \d+ passed, 0 failed/);
    expect(await count()).toBe(before);
    await expect(runSmoke(service.url, 'wrong-key-0123456789', () => undefined)).rejects.toThrow(/API_KEY_INVALID/);
  }, 60_000);
});

interface Seen {
  method: string;
  url: string;
  requestId: string | undefined;
  apiKey: string | undefined;
  idempotencyKey: string | undefined;
  at: number;
}

/** A stand-in for the service that answers each request with the next of `replies` (the last one repeats). */
function stub(replies: ((res: ServerResponse) => void)[]) {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        requestId: req.headers['x-request-id'] as string | undefined,
        apiKey: req.headers['x-api-key'] as string | undefined,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        at: Date.now(),
      });
      (replies[Math.min(seen.length, replies.length) - 1] as (res: ServerResponse) => void)(res);
    });
  });
  return {
    seen,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const unavailable =
  (retryAfter?: string) =>
  (res: ServerResponse): void => {
    res.writeHead(503, {
      'content-type': 'application/problem+json; charset=utf-8',
      ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }),
    });
    res.end(
      JSON.stringify({
        type: 'urn:usersvc:problem:database-unavailable',
        title: 'Database unavailable',
        status: 503,
        detail: 'The database is unavailable.',
        code: 'DATABASE_UNAVAILABLE',
        request_id: 'from-stub',
      }),
    );
  };
const page = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ data: [], next_cursor: null }));
};

describe('the client’s timeouts and retries', () => {
  let current: ReturnType<typeof stub> | undefined;
  const serve = async (replies: ((res: ServerResponse) => void)[]) => {
    current = stub(replies);
    return { url: await current.start(), seen: current.seen };
  };
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });

  it('retries a GET on 503 after the Retry-After it was given, with the same request id and key', async () => {
    const { url, seen } = await serve([unavailable('1'), page]);
    const started = Date.now();
    expect(await createUsersClient({ baseUrl: url, apiKey: KEY }).listUsers()).toEqual({ data: [], next_cursor: null });
    expect(seen).toHaveLength(2);
    expect((seen[1] as Seen).at - started).toBeGreaterThanOrEqual(1000);
    expect(new Set(seen.map((s) => s.requestId)).size).toBe(1);
    expect(seen.every((s) => s.apiKey === KEY)).toBe(true);
  });

  it('gives up after `retries` and throws the 503 with its Retry-After', async () => {
    const { url, seen } = await serve([unavailable('0')]);
    const error = await thrown(createUsersClient({ baseUrl: url, retries: 2 }).getUserById('x'));
    expect(seen).toHaveLength(3);
    expect(error).toBeInstanceOf(ProblemError);
    expect([(error as ProblemError).code, (error as ProblemError).retryAfterMs]).toEqual(['DATABASE_UNAVAILABLE', 0]);
  });

  it('does not wait longer than maxRetryDelayMs: a 503 asking for more is thrown at once', async () => {
    const { url, seen } = await serve([unavailable('120'), page]);
    const started = Date.now();
    const error = (await thrown(
      createUsersClient({ baseUrl: url, maxRetryDelayMs: 2000 }).listUsers(),
    )) as ProblemError;
    expect([error.code, error.retryAfterMs, seen.length]).toEqual(['DATABASE_UNAVAILABLE', 120_000, 1]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries a create and a patch on 503 with one Idempotency-Key per call, a new one for each call', async () => {
    const { url, seen } = await serve([unavailable('0')]);
    const users = createUsersClient({ baseUrl: url, retries: 1 });
    await thrown(users.createUser({ username: 'abc', email: 'a@example.com', full_name: 'Ab Cd' }));
    await thrown(users.patchUser('x', { full_name: 'Ab Cd' }));
    await thrown(users.patchUser('x', { full_name: 'Ab Cd' }, { idempotencyKey: 'mine-1' }));
    expect(seen.map((s) => s.method)).toEqual(['POST', 'POST', 'PATCH', 'PATCH', 'PATCH', 'PATCH']);
    const keys = seen.map((s) => s.idempotencyKey);
    expect(keys[0]).toMatch(UUID);
    expect([keys[1], keys[3], keys[5]]).toEqual([keys[0], keys[2], 'mine-1']);
    expect(new Set(keys).size).toBe(3);
  });

  it('retries a keyed request on 409 with Retry-After (its first attempt still runs), not on another 409', async () => {
    const inUse = (res: ServerResponse) => {
      res.writeHead(409, { 'content-type': 'application/problem+json', 'retry-after': '0' });
      res.end(JSON.stringify({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE', title: 'in use', detail: 'wait' }));
    };
    const created = (res: ServerResponse) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'u1', username: 'abc' }));
    };
    const { url, seen } = await serve([inUse, created]);
    const user = { username: 'abc', email: 'a@example.com', full_name: 'Ab Cd' };
    expect(await createUsersClient({ baseUrl: url }).createUser(user)).toEqual({ id: 'u1', username: 'abc' });
    expect(seen).toHaveLength(2);
    await current?.stop();

    const conflict = (res: ServerResponse) => {
      res.writeHead(409, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ status: 409, code: 'USER_CONFLICT', title: 'exists', detail: 'taken' }));
    };
    const second = await serve([conflict, created]);
    const error = await thrown(createUsersClient({ baseUrl: second.url }).createUser(user));
    expect([(error as ProblemError).code, second.seen.length]).toEqual(['USER_CONFLICT', 1]);
  });

  it('never retries a POST or a PATCH sent without an Idempotency-Key (the service may have done the work)', async () => {
    const { url, seen } = await serve([unavailable('0')]);
    const { api } = createUsersClient({ baseUrl: url });
    await api.POST('/api/v1/users', { body: { username: 'abc', email: 'a@example.com', full_name: 'Ab Cd' } });
    await api.PATCH('/api/v1/users/id/{id}', { params: { path: { id: 'x' } }, body: { full_name: 'Ab Cd' } });
    expect(seen.map((s) => [s.method, s.idempotencyKey])).toEqual([
      ['POST', undefined],
      ['PATCH', undefined],
    ]);
  });

  it('times an attempt out with TimeoutError', async () => {
    const { url } = await serve([() => undefined]); // never answers
    const started = Date.now();
    const error = await thrown(createUsersClient({ baseUrl: url, timeoutMs: 300 }).health({ requestId: 'slow-1' }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect([(error as TimeoutError).timeoutMs, (error as TimeoutError).requestId]).toEqual([300, 'slow-1']);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops at the caller’s abort, waits included', async () => {
    const { url, seen } = await serve([unavailable('3')]);
    const error = await thrown(createUsersClient({ baseUrl: url }).listUsers({}, { signal: AbortSignal.timeout(500) }));
    expect(error).not.toBeInstanceOf(UsersvcError);
    expect(seen).toHaveLength(1);
  });

  it('throws HttpError for an error without problem details, and UsersvcError when nothing answers', async () => {
    const { url } = await serve([
      (res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad Gateway</html>');
      },
    ]);
    const error = await thrown(createUsersClient({ baseUrl: url }).health({ requestId: 'gw-1' }));
    expect(error).toBeInstanceOf(HttpError);
    expect([(error as HttpError).status, (error as HttpError).body, (error as HttpError).requestId]).toEqual([
      502,
      '<html>Bad Gateway</html>',
      'gw-1',
    ]);
    await current?.stop();
    const refused = await thrown(createUsersClient({ baseUrl: url }).health());
    expect(refused).toBeInstanceOf(UsersvcError);
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
