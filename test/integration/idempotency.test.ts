// Idempotency-Key on POST and PATCH: a retry replays the first success and writes nothing; the same key with another
// request is 422; a retry while the first runs is 409; a failed request records nothing; keys expire after 24 hours.
import { ANONYMOUS } from '../../shared/auth/principal';
import { startApp, useApp, type TestApp } from '../support/app';
import { backends } from '../support/database';
import { call, type Reply } from '../support/http';
import { exchangeRaw } from '../support/raw-socket';
import { errors } from '../../shared/errors';
import { idempotent } from '../../shared/idempotency/idempotent';
import { startKeySweep, sweepOnce } from '../../shared/idempotency/sweep';
import type { Database } from '../../shared/db/database';
import type { ApiRequest } from '../../shared/http/types';

let counter = 0;
const unique = (prefix = 'idem') => `${prefix}${Date.now().toString(36)}${counter++}`;
const newUser = (name = unique()) => ({ username: name, email: `${name}@example.com`, full_name: 'Key Holder' });
const byId = (id: string) => `/api/v1/users/id/${id}`;
const keyed = (key: string, headers: Record<string, string> = {}) => ({ 'idempotency-key': key, ...headers });

/** Everything a client can see of an answer, but the request id (each request has its own). */
const seen = (reply: Reply) => ({
  status: reply.status,
  body: reply.text,
  location: reply.headers.get('location'),
  etag: reply.headers.get('etag'),
  contentType: reply.headers.get('content-type'),
});

async function usersNamed(running: TestApp, username: string): Promise<number> {
  const rows = await running.db.query<{ count: string }>('SELECT count(*) AS count FROM users WHERE username = $1', [
    username,
  ]);
  return Number(rows[0]?.count);
}

describe.each(backends)('Idempotency-Key on %s', (backend) => {
  const running = useApp({ backend });
  const post = (json: unknown, key: string, headers: Record<string, string> = {}) =>
    call(running.url, 'POST', '/api/v1/users', { json, headers: keyed(key, headers) });

  it('replays a POST retried with the same key: same status, body, Location and ETag, one user', async () => {
    const user = newUser();
    const key = unique('key-');
    const first = await post(user, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const retry = await post(user, key);
    expect(seen(retry)).toEqual(seen(first));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(await usersNamed(running, user.username)).toBe(1);
  });

  it('replays the first answer even after the user changed or was deleted, and writes nothing', async () => {
    const user = newUser();
    const key = unique('key-');
    const first = await post(user, key);
    const id = (first.body as { id: string }).id;
    await call(running.url, 'DELETE', byId(id));
    const retry = await post(user, key);
    expect(seen(retry)).toEqual(seen(first));
    expect(await usersNamed(running, user.username)).toBe(0);
  });

  it('accepts the draft’s quoted form as the same key', async () => {
    const user = newUser();
    const key = unique('key-');
    const first = await post(user, key);
    const retry = await post(user, `"${key}"`);
    expect(seen(retry)).toEqual(seen(first));
  });

  it('answers the same key with another body, or for another operation, with 422 and writes nothing', async () => {
    const key = unique('key-');
    const first = await post(newUser(), key);
    expect(first.status).toBe(201);
    const other = newUser();
    const reused = await post(other, key);
    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reused.body.request_id).toBe(reused.headers.get('x-request-id'));
    expect(await usersNamed(running, other.username)).toBe(0);

    const id = (first.body as { id: string }).id;
    const patch = await call(running.url, 'PATCH', byId(id), { json: { full_name: 'Other Op' }, headers: keyed(key) });
    expect([patch.status, patch.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect((await call(running.url, 'GET', byId(id))).body.full_name).toBe('Key Holder');
  });

  it('replays a PATCH: the version moves once, and a different patch under the key is 422', async () => {
    const created = await post(newUser(), unique('key-'));
    const id = (created.body as { id: string }).id;
    const key = unique('key-');
    const patch = (json: unknown) => call(running.url, 'PATCH', byId(id), { json, headers: keyed(key) });
    const first = await patch({ full_name: 'Patched Once' });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).not.toBe(created.headers.get('etag'));
    const retry = await patch({ full_name: 'Patched Once' });
    expect(seen(retry)).toEqual(seen(first));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(running.url, 'GET', byId(id))).headers.get('etag')).toBe(first.headers.get('etag'));
    expect((await patch({ full_name: 'Patched Twice' })).status).toBe(422);
  });

  it('binds a PATCH’s If-Match into the request: a retry naming another ETag is 422', async () => {
    const created = await post(newUser(), unique('key-'));
    const id = (created.body as { id: string }).id;
    const key = unique('key-');
    const etag = created.headers.get('etag') as string;
    const first = await call(running.url, 'PATCH', byId(id), {
      json: { full_name: 'Conditional' },
      headers: keyed(key, { 'if-match': etag }),
    });
    expect(first.status).toBe(200);
    const retry = await call(running.url, 'PATCH', byId(id), {
      json: { full_name: 'Conditional' },
      headers: keyed(key, { 'if-match': etag }),
    });
    expect(seen(retry)).toEqual(seen(first));
    const otherTag = await call(running.url, 'PATCH', byId(id), {
      json: { full_name: 'Conditional' },
      headers: keyed(key, { 'if-match': '"999"' }),
    });
    expect(otherTag.status).toBe(422);
  });

  it('records nothing for a request that failed: its retry runs again', async () => {
    const taken = newUser();
    const holder = await post(taken, unique('key-'));
    const key = unique('key-');
    const conflicted = await post(taken, key);
    expect([conflicted.status, conflicted.body.code]).toEqual([409, 'USER_CONFLICT']);
    await call(running.url, 'DELETE', byId((holder.body as { id: string }).id));
    const retry = await post(taken, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await usersNamed(running, taken.username)).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['not printable ASCII', 'clé'],
  ])('refuses a key that is %s with 400 naming the header, before writing', async (_what, key) => {
    const user = newUser();
    const reply = await post(user, key);
    expect([reply.status, reply.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(reply.body.errors).toEqual([{ field: 'header.Idempotency-Key', message: expect.any(String) }]);
    expect(await usersNamed(running, user.username)).toBe(0);
  });

  it('refuses a repeated Idempotency-Key, or a list in one line, with 400 naming the header, before writing', async () => {
    const user = newUser();
    const body = JSON.stringify(user);
    const { host } = new URL(running.url);
    // Two header lines: an HTTP client would join them itself, so they go out on a raw connection.
    const twice = await exchangeRaw(
      running.url,
      `POST /api/v1/users HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
        `Idempotency-Key: x\r\nIdempotency-Key: y\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
    expect(twice.statuses).toEqual([400]);
    const problem = JSON.parse(twice.text.slice(twice.text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(problem).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'header.Idempotency-Key', message: expect.stringContaining('one key') }],
    });
    for (const list of ['x, y', 'x,y', '"x", "y"', unique('key-') + ', ' + unique('key-')]) {
      const reply = await post(user, list);
      expect([list, reply.status, reply.body.code]).toEqual([list, 400, 'VALIDATION_FAILED']);
      expect(reply.body.errors).toEqual([
        { field: 'header.Idempotency-Key', message: expect.stringContaining('one key') },
      ]);
    }
    expect(await usersNamed(running, user.username)).toBe(0);
    // One quoted key may hold a comma: it is one sf-string.
    expect((await post(user, `"${unique('key-')},with-comma"`)).status).toBe(201);
  });

  it('validates the body before the key: an invalid request is 400 and leaves the key unused', async () => {
    const key = unique('key-');
    const invalid = await post({ username: '!' }, key);
    expect(invalid.status).toBe(400);
    expect((await post(newUser(), key)).status).toBe(201);
  });

  it('answers 20 concurrent POSTs with one key with one user and one answer (a 409 while it runs, then the replay)', async () => {
    const user = newUser();
    const key = unique('key-');
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(user, key)));
    const statuses = replies.map((reply) => reply.status);
    // Those that arrived while the first was running are told so, with a Retry-After; nothing else is possible.
    for (const reply of replies.filter((r) => r.status === 409)) {
      expect(reply.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(reply.headers.get('retry-after')).toBe('1');
    }
    expect(statuses.filter((status) => status !== 201 && status !== 409)).toEqual([]);
    // Their retries, as a client sends them, replay the one answer.
    const answers = await Promise.all(
      replies.map(async (reply) => {
        let current = reply;
        while (current.status === 409) current = await post(user, key);
        return seen(current);
      }),
    );
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]?.status).toBe(201);
    expect(await usersNamed(running, user.username)).toBe(1);
  });

  it('frees a key after 24 hours: the expired record neither replays nor refuses, and the sweep deletes it', async () => {
    const key = unique('key-');
    await post(newUser(), key);
    const fresh = unique('key-');
    await post(newUser(), fresh);
    await running.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [
      key,
    ]);
    const other = newUser();
    const reused = await post(other, key);
    expect([reused.status, reused.headers.get('idempotent-replayed')]).toEqual([201, null]);
    expect(await usersNamed(running, other.username)).toBe(1);

    await running.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [
      key,
    ]);
    expect(await sweepOnce(running.app.context.db, 2)).toBeGreaterThanOrEqual(1);
    const left = await running.db.query<{ key: string }>(`SELECT key FROM idempotency_keys WHERE key IN ($1, $2)`, [
      key,
      fresh,
    ]);
    expect(left.map((row) => row.key)).toEqual([fresh]);
  });

  it('sweeps in the background once started, logs what it deleted, and stops', async () => {
    const key = unique('key-');
    await post(newUser(), key);
    await running.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [
      key,
    ]);
    const { db, logger } = running.app.context;
    const sweep = startKeySweep(db, logger, { firstAfterMs: 0, everyMs: 60_000 });
    try {
      const line = await running.waitFor((l) => l.message === 'expired idempotency keys deleted');
      expect(line.deleted).toBeGreaterThanOrEqual(1);
    } finally {
      await sweep.stop();
    }
    expect(await running.db.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toEqual([]);
  });

  it('writes the user and the key’s record in one transaction: a failed record leaves no user', async () => {
    const db = running.app.context.db;
    // The record's INSERT fails as if the database went away mid-transaction.
    const failingRecord: Database = {
      ...db,
      transaction: (work) =>
        db.transaction((tx) =>
          work({
            query: (statement, values) =>
              typeof statement !== 'string' && statement.name === 'idempotency_record'
                ? Promise.reject(errors.databaseUnavailable(new Error('connection lost')))
                : tx.query(statement, values),
          }),
        ),
    };
    const user = newUser();
    const request = { headers: { 'idempotency-key': unique('key-') }, principal: ANONYMOUS } as unknown as ApiRequest;
    const write = async (tx: Pick<Database, 'query'>) => {
      await tx.query('INSERT INTO users (id, username, email, full_name) VALUES (gen_random_uuid(), $1, $2, $3)', [
        user.username,
        user.email,
        user.full_name,
      ]);
      return { status: 201, body: {} };
    };
    const failure = await idempotent(
      request,
      { db: failingRecord, config: running.app.context.config },
      { name: 'test', input: user },
      write,
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(await usersNamed(running, user.username)).toBe(0);
  });
});

describe.each(backends)('Idempotency-Key scopes on %s', (backend) => {
  const [alice, bob] = ['alice-key-0123456789', 'bob-key-0123456789ab'];
  const running = useApp({ backend, env: { API_KEY: `${alice},${bob}` } });
  const post = (json: unknown, key: string, apiKey: string) =>
    call(running.url, 'POST', '/api/v1/users', { json, headers: keyed(key, { 'x-api-key': apiKey }) });

  it('keeps each API key’s idempotency keys apart: the same key under two API keys is two requests', async () => {
    const key = unique('key-');
    const [first, second] = [newUser(), newUser()];
    expect((await post(first, key, alice)).status).toBe(201);
    expect((await post(second, key, bob)).status).toBe(201);
    expect((await post(second, key, alice)).status).toBe(422);
    const scopes = await running.db.query<{ scope: string }>('SELECT scope FROM idempotency_keys WHERE key = $1', [
      key,
    ]);
    // Hashed: the table never holds an API key.
    expect(scopes.map((row) => row.scope)).toEqual([
      expect.stringMatching(/^[0-9a-f]{64}$/),
      expect.stringMatching(/^[0-9a-f]{64}$/),
    ]);
    expect(scopes.some((row) => row.scope.includes(alice) || row.scope.includes(bob))).toBe(false);
  });
});

const describePostgres = backends.includes('postgres') ? describe : describe.skip;

describePostgres('Idempotency-Key across revisions', () => {
  const first = useApp({ backend: 'postgres' });

  it('replays a retry that reaches another app (another revision or replica) on the same database', async () => {
    const url = first.db.url as string;
    const second = await startApp({ env: { DATABASE_URL: url } });
    try {
      const user = newUser();
      const key = unique('key-');
      const options = { json: user, headers: keyed(key) };
      const original = await call(first.url, 'POST', '/api/v1/users', options);
      const retry = await call(second.url, 'POST', '/api/v1/users', options);
      expect(original.status).toBe(201);
      expect(seen(retry)).toEqual(seen(original));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
    } finally {
      await second.close();
    }
  });
});
