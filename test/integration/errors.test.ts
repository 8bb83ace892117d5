// Every error row of the contract, in-process over real HTTP as production serves it: status, problem+json shape,
// request id, no leaks (the framework's app: functions-framework.test.ts).
import { useApp } from '../support/app';
import { backends } from '../support/database';
import { call, type Reply } from '../support/http';
import { rawRequest } from '../support/node-request';
import { exchangeRaw } from '../support/raw-socket';

const PROBLEM = /^application\/problem\+json; charset=utf-8$/;

function expectProblem(reply: Reply, status: number, code: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(PROBLEM);
  expect(reply.body).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) });
  expect(reply.body.type).toBe(`urn:usersvc:problem:${code.toLowerCase().replace(/_/g, '-')}`);
  expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
  expect(reply.text).not.toMatch(/at .*\.js:\d+|node_modules|SELECT|INSERT/);
}

const validUser = (name: string) => ({ username: name, email: `${name}@example.com`, full_name: 'Valid Name' });

describe.each(backends)('error responses on %s', (backend) => {
  const running = useApp({ backend });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const reply = await call(running.url, 'POST', '/api/v1/users', {
      body: '{"username": "abc",',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(reply, 400, 'MALFORMED_JSON');
  });

  it('answers an empty JSON body with 400 MALFORMED_JSON', async () => {
    const reply = await call(running.url, 'POST', '/api/v1/users', {
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(reply, 400, 'MALFORMED_JSON');
  });

  it('answers invalid UTF-8 with 400 MALFORMED_JSON', async () => {
    const reply = await call(running.url, 'POST', '/api/v1/users', {
      body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(reply, 400, 'MALFORMED_JSON');
  });

  it.each([
    ['a JSON array', [1, 2]],
    ['a JSON string', 'user'],
    ['null', null],
  ])('answers %s as the body with 400 VALIDATION_FAILED', async (_what, body) => {
    const reply = await call(running.url, 'POST', '/api/v1/users', { json: body });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['username', 'test_user', 'must hold only ASCII letters and digits'],
    ['username', 'test_user!', 'must hold only ASCII letters and digits'],
    ['username', 'ab', 'must be at least 3 characters'],
    ['username', 'a'.repeat(51), 'must be at most 50 characters'],
    ['username', 42, 'must be a string'],
    ['email', 'not-an-email', 'must be a valid email address'],
    ['email', `${'a'.repeat(92)}@example.com`, 'must be at most 100 characters'],
    ['full_name', ' x ', 'must be at least 2 characters'],
    ['full_name', 'x'.repeat(101), 'must be at most 100 characters'],
    ['full_name', 'Robert\u0000Tables', "must hold only letters, digits, spaces and ' . , -"],
  ])('rejects %s %p with 400 naming the field', async (field, value, message) => {
    const reply = await call(running.url, 'POST', '/api/v1/users', {
      json: { ...validUser(`v${Date.now().toString(36)}`), [field]: value },
    });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors).toEqual([{ field, message }]);
  });

  it('lists every missing required field on create', async () => {
    const reply = await call(running.url, 'POST', '/api/v1/users', { json: {} });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    const fields = (reply.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['email', 'full_name', 'username']);
  });

  it('rejects unknown fields on create with 400 instead of dropping them', async () => {
    const reply = await call(running.url, 'POST', '/api/v1/users', {
      json: { ...validUser('unknownfield1'), role: 'admin' },
    });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors).toEqual([{ field: 'role', message: 'is not a known field' }]);
  });

  it('answers a non-JSON body with 415, and a missing Content-Type too', async () => {
    const text = await call(running.url, 'POST', '/api/v1/users', {
      body: 'username=abc',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const latin1 = await call(running.url, 'POST', '/api/v1/users', {
      body: JSON.stringify(validUser('latinone')),
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    });
    expectProblem(latin1, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const none = await rawRequest(`${running.url}/api/v1/users`, { method: 'POST' }, (r) => r.end('{}'));
    expect(none.status).toBe(415);
  });

  it('accepts application/json with a UTF-8 charset parameter', async () => {
    const reply = await call(running.url, 'POST', '/api/v1/users', {
      body: JSON.stringify(validUser(`charset${Date.now().toString(36)}`)),
      headers: { 'content-type': 'Application/JSON; charset="UTF-8"' },
    });
    expect(reply.status).toBe(201);
  });

  it('answers a declared body over 64 KiB with 413 before the body is sent', async () => {
    // The client declares 10 MB but sends nothing: a 413 proves the server did not wait to buffer it.
    const reply = await rawRequest(
      `${running.url}/api/v1/users`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(10_000_000) } },
      (request) => request.flushHeaders(),
    );
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
    expect(JSON.parse(reply.body)).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      request_id: reply.headers['x-request-id'],
    });
  });

  it('answers a chunked body that grows past 64 KiB with 413 without reading the rest', async () => {
    const reply = await rawRequest(
      `${running.url}/api/v1/users`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (request) => {
        request.write(`{"username":"${'a'.repeat(70 * 1024)}`); // over the limit; never finished
      },
    );
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('accepts a body just under the limit (it reaches validation, not 413)', async () => {
    const reply = await call(running.url, 'POST', '/api/v1/users', {
      json: { ...validUser('nearlimit'), full_name: 'x'.repeat(60 * 1024) },
    });
    expectProblem(reply, 400, 'VALIDATION_FAILED');
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    expectProblem(await call(running.url, 'GET', '/api/v2/users'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await call(running.url, 'GET', '/api/v1/users/'), 404, 'ROUTE_NOT_FOUND');
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const put = await call(running.url, 'PUT', '/api/v1/users');
    expectProblem(put, 405, 'METHOD_NOT_ALLOWED');
    expect(put.headers.get('allow')).toBe('GET, POST, HEAD');
    const post = await call(running.url, 'POST', '/api/v1/users/id/00000000-0000-4000-8000-000000000000');
    expect(post.headers.get('allow')).toBe('GET, PATCH, DELETE, HEAD');
  });

  it('answers 409 for a duplicate username (any case) and for a duplicate email', async () => {
    const name = `dup${Date.now().toString(36)}`;
    expect((await call(running.url, 'POST', '/api/v1/users', { json: validUser(name) })).status).toBe(201);
    const sameName = await call(running.url, 'POST', '/api/v1/users', {
      json: { ...validUser(name.toUpperCase()), email: `other${name}@example.com` },
    });
    expectProblem(sameName, 409, 'USER_CONFLICT');
    expect(sameName.body.errors).toEqual([{ field: 'username', message: 'is already taken' }]);
    const sameEmail = await call(running.url, 'POST', '/api/v1/users', {
      json: { ...validUser(`other${name}`), email: `${name.toUpperCase()}@EXAMPLE.COM` },
    });
    expectProblem(sameEmail, 409, 'USER_CONFLICT');
    expect(sameEmail.body.errors).toEqual([{ field: 'email', message: 'is already taken' }]);
  });

  it('keeps a sane X-Request-ID from the caller and replaces an unsafe one', async () => {
    const kept = await call(running.url, 'GET', '/health', { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123');
    const replaced = await call(running.url, 'GET', '/nope', {
      headers: { 'x-request-id': 'bad id "quoted"' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.body.request_id).toBe(replaced.headers.get('x-request-id'));
  });

  it('answers the paths Functions Framework would swallow (/favicon.ico, /robots.txt, *) with our 404', async () => {
    expectProblem(await call(running.url, 'GET', '/favicon.ico'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await call(running.url, 'GET', '/Robots.txt/x'), 404, 'ROUTE_NOT_FOUND');
    const star = await rawRequest(running.url, { method: 'OPTIONS', path: '*' }, (r) => r.end());
    expect(star.status).toBe(404);
    expect(star.headers['content-type']).toMatch(PROBLEM);
  });

  it('answers a compressed body with 415 rather than guessing at its bytes', async () => {
    const reply = await call(running.url, 'POST', '/api/v1/users', {
      body: JSON.stringify(validUser('gzipped')),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expectProblem(reply, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a bad percent-encoding in a path parameter with 400', async () => {
    expectProblem(await call(running.url, 'GET', '/api/v1/users/username/%E0%A4%A'), 400, 'VALIDATION_FAILED');
  });

  // Issue 9, "Input": names made only of joiners or combining marks pass the character rules yet show nothing.
  it.each([
    ['zero-width joiners', '\u200d\u200d'],
    ['combining marks', '\u0301\u0301\u0301'],
    ['one letter and marks', 'x\u0301\u0301'],
    ['Hangul fillers', '\u3164\u3164'],
  ])('refuses a full_name of %s with 400: it needs 2 visible letters or digits', async (_what, name) => {
    const create = await call(running.url, 'POST', '/api/v1/users', {
      json: { ...validUser(`inv${Date.now().toString(36)}`), full_name: name },
    });
    expectProblem(create, 400, 'VALIDATION_FAILED');
    expect(create.body.errors).toEqual([{ field: 'full_name', message: 'must hold at least 2 letters or digits' }]);
    const patch = await call(running.url, 'PATCH', '/api/v1/users/id/00000000-0000-4000-8000-000000000000', {
      json: { full_name: name },
    });
    expectProblem(patch, 400, 'VALIDATION_FAILED');
  });

  it('still takes short names of two letters or digits in any script, with marks and joiners', async () => {
    for (const name of ['Ng', '李明', 'e\u0301e', 'R2', 'می\u200cر']) {
      const user = validUser(`vis${Date.now().toString(36)}${name.length}`);
      const reply = await call(running.url, 'POST', '/api/v1/users', { json: { ...user, full_name: name } });
      expect([name, reply.status]).toEqual([name, 201]);
    }
  });

  // Issue 9, "Input": RFC 9112 §3.2.2, a server must accept a request target in absolute-form.
  it('serves an absolute-form request target as its path', async () => {
    const list = await rawRequest(
      running.url,
      { method: 'GET', path: 'http://example.com/api/v1/users?limit=1' },
      (r) => r.end(),
    );
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toMatchObject({ data: expect.any(Array) });
    const health = await rawRequest(running.url, { method: 'GET', path: 'HTTP://Example.com:8080/health' }, (r) =>
      r.end(),
    );
    expect([health.status, JSON.parse(health.body)]).toEqual([200, { status: 'ok' }]);
    const root = await rawRequest(running.url, { method: 'GET', path: 'http://example.com' }, (r) => r.end());
    expect(JSON.parse(root.body)).toMatchObject({ code: 'ROUTE_NOT_FOUND', detail: 'No route matches /.' });
  });

  // Issue 9, "Input": a transfer coding other than chunked would reach the handlers still encoded.
  it.each(['gzip, chunked', 'deflate,chunked', 'GZIP , Chunked'])(
    'refuses Transfer-Encoding: %s with 400 and closes the connection, whatever the method',
    async (transferEncoding) => {
      for (const method of ['POST', 'GET', 'DELETE']) {
        const path = method === 'POST' ? '/api/v1/users' : '/api/v1/users/id/00000000-0000-4000-8000-000000000000';
        const body = JSON.stringify(validUser(`te${Date.now().toString(36)}`));
        const { statuses, text } = await exchangeRaw(
          running.url,
          `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
            `Transfer-Encoding: ${transferEncoding}\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
        );
        expect([method, statuses]).toEqual([method, [400]]);
        expect(text).toMatch(/\r\nConnection: close\r\n/i);
        expect(text).toContain('"code":"UNSUPPORTED_TRANSFER_CODING"');
      }
    },
  );

  // Issue 9, "Declared size on any method": refused before any handler runs, so the DELETE does not happen.
  it.each(['DELETE', 'GET', 'PATCH', 'HEAD'])(
    'answers %s with a declared Content-Length over 64 KiB with 413 before any handler, and closes',
    async (method) => {
      const user = await call<{ id: string }>(running.url, 'POST', '/api/v1/users', {
        json: validUser(`cl${method.toLowerCase()}${Date.now().toString(36)}`),
      });
      expect(user.status).toBe(201);
      const reply = await rawRequest(
        `${running.url}/api/v1/users/id/${user.body.id}`,
        { method, headers: { 'content-length': '999999999' } },
        (request) => request.flushHeaders(),
      );
      expect(reply.status).toBe(413);
      expect(reply.headers.connection).toBe('close');
      expect((await call(running.url, 'GET', `/api/v1/users/id/${user.body.id}`)).status).toBe(200);
    },
  );

  it('answers a GET whose chunked body grows past 64 KiB with 413', async () => {
    const reply = await rawRequest(
      `${running.url}/api/v1/users`,
      { method: 'GET', headers: { 'transfer-encoding': 'chunked' } },
      (request) => request.write('x'.repeat(70 * 1024)),
    );
    expect(reply.status).toBe(413);
  });

  // Issue 9, "Pipelined after 413": the client sees only the 413, so what follows it must not run either.
  it.each([
    ['declared', (body: string) => `Content-Length: ${body.length}\r\n\r\n${body}`],
    [
      'chunked',
      (body: string) => `Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    ],
  ])('runs nothing pipelined behind a body refused with 413 (%s)', async (_framing, frame) => {
    const name = `piped${Date.now().toString(36)}`;
    const follower = JSON.stringify(validUser(name));
    const { statuses } = await exchangeRaw(
      running.url,
      `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${frame(`{"x":"${'a'.repeat(70 * 1024)}"}`)}` +
        `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nX-Request-ID: ${name}-1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${follower.length}\r\n\r\n${follower}` +
        `GET /health HTTP/1.1\r\nHost: x\r\nX-Request-ID: ${name}-2\r\n\r\n`,
    );
    expect(statuses).toEqual([413]);
    // Had a follower run, its log line would be written when it finished: give a slow insert time to.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(running.logs.filter((line) => String(line.request_id).startsWith(name))).toEqual([]);
    expect((await call(running.url, 'GET', `/api/v1/users/username/${name}`)).status).toBe(404);
  });
});

describe('503 when the database is unreachable', () => {
  // Port 1 on loopback refuses at once: the app starts, but every query fails to connect.
  const service = useApp({ env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' } });

  it('answers API calls with 503 DATABASE_UNAVAILABLE and Retry-After', async () => {
    const reply = await call(service.url, 'GET', '/api/v1/users');
    expectProblem(reply, 503, 'DATABASE_UNAVAILABLE');
    expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('answers /ready with 503 saying the database check failed, while /health stays 200', async () => {
    const ready = await call(service.url, 'GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not_ready', checks: { database: 'unreachable' } });
    expect((await call(service.url, 'GET', '/health')).status).toBe(200);
  });

  it('keeps the connection details out of the response', async () => {
    const reply = await call(service.url, 'GET', '/api/v1/users');
    expect(reply.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres/);
  });
});
