// Optimistic concurrency (RFC 9110 §13): a user's strong ETag is its version, which every write moves in the same
// statement; If-None-Match gives 304, a stale If-Match gives 412 and writes nothing; without headers, as before.
import { useApp } from '../support/app';
import { backends } from '../support/database';
import { call } from '../support/http';

let counter = 0;
const unique = () => `etag${Date.now().toString(36)}${counter++}`;

describe.each(backends)('ETags on %s', (backend) => {
  const running = useApp({ backend });
  const create = async () => {
    const name = unique();
    const reply = await call<{ id: string }>(running.url, 'POST', '/api/v1/users', {
      json: { username: name, email: `${name}@example.com`, full_name: 'Tag Holder' },
    });
    expect(reply.status).toBe(201);
    return { id: reply.body.id, name, etag: reply.headers.get('etag') as string };
  };
  const byId = (id: string) => `/api/v1/users/id/${id}`;

  it('gives a created user a strong ETag, the same on both GETs, private and revalidated', async () => {
    const { id, name, etag } = await create();
    expect(etag).toMatch(/^"\d+"$/);
    for (const path of [byId(id), `/api/v1/users/username/${name}`]) {
      const reply = await call(running.url, 'GET', path);
      expect(reply.headers.get('etag')).toBe(etag);
      expect(reply.headers.get('cache-control')).toBe('private, no-cache');
    }
  });

  it('answers If-None-Match naming the current version (or *) with 304 and no body', async () => {
    const { id, etag } = await create();
    for (const header of [etag, `W/${etag}`, `"0", ${etag}`, '*']) {
      const reply = await call(running.url, 'GET', byId(id), { headers: { 'if-none-match': header } });
      expect([header, reply.status, reply.text]).toEqual([header, 304, '']);
      expect(reply.headers.get('etag')).toBe(etag);
    }
    const stale = await call(running.url, 'GET', byId(id), { headers: { 'if-none-match': '"0"' } });
    expect(stale.status).toBe(200);
  });

  it('moves the ETag on every write, and PATCHes with a current If-Match', async () => {
    const { id, etag } = await create();
    const patched = await call(running.url, 'PATCH', byId(id), {
      json: { full_name: 'Tag Mover' },
      headers: { 'if-match': etag },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).not.toBe(etag);
    expect((await call(running.url, 'GET', byId(id))).headers.get('etag')).toBe(patched.headers.get('etag'));
  });

  it('answers a PATCH with a stale If-Match with 412 and writes nothing', async () => {
    const { id, etag } = await create();
    await call(running.url, 'PATCH', byId(id), { json: { full_name: 'First Writer' } });
    const before = await call(running.url, 'GET', byId(id));
    for (const header of [etag, `W/${before.headers.get('etag') as string}`, 'garbage']) {
      const reply = await call(running.url, 'PATCH', byId(id), {
        json: { full_name: 'Lost Update' },
        headers: { 'if-match': header },
      });
      expect([header, reply.status, reply.body.code]).toEqual([header, 412, 'PRECONDITION_FAILED']);
    }
    const after = await call(running.url, 'GET', byId(id));
    expect(after.body).toEqual(before.body);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
  });

  // A fullwidth "１" as its UTF-8 bytes: a header value travels as bytes (fetch takes them as latin1 characters).
  const FULLWIDTH_ONE = Buffer.from('"\uff11"').toString('latin1');
  // Issue 19: PostgreSQL refused these as bigints (500, and the header's value in the log line).
  const NOT_OURS = [
    '"abc"',
    '""',
    '"1.5"',
    '"0x10"',
    '"99999999999999999999"',
    FULLWIDTH_ONE,
    '"7", "x"',
    '"01"',
    '" +1 "',
  ];

  it('answers an If-Match naming none of our versions with 412 on PATCH and DELETE, writes nothing, logs no value', async () => {
    const { id, etag } = await create();
    expect(etag).toBe('"1"');
    for (const header of NOT_OURS) {
      for (const method of ['PATCH', 'DELETE']) {
        const reply = await call(running.url, method, byId(id), {
          json: method === 'PATCH' ? { full_name: 'Never Written' } : undefined,
          headers: { 'if-match': header, 'x-request-id': `etag-not-ours-${method}` },
        });
        expect([method, header, reply.status, reply.body.code]).toEqual([method, header, 412, 'PRECONDITION_FAILED']);
      }
    }
    const after = await call(running.url, 'GET', byId(id));
    expect([after.status, after.headers.get('etag'), after.body.full_name]).toEqual([200, etag, 'Tag Holder']);
    expect(running.logs.filter((line) => line.severity === 'ERROR')).toEqual([]);
    for (const value of ['99999999999999999999', '0x10', 'invalid input syntax']) {
      expect(running.output()).not.toContain(value);
    }
  });

  it('compares entity tags character for character: "01" and " +1 " are not "1" for If-Match or If-None-Match', async () => {
    const { id, etag } = await create();
    for (const header of ['"01"', '" +1 "', '"1 "']) {
      const patched = await call(running.url, 'PATCH', byId(id), {
        json: { full_name: 'Not Written' },
        headers: { 'if-match': header },
      });
      expect([header, patched.status]).toEqual([header, 412]);
      const got = await call(running.url, 'GET', byId(id), { headers: { 'if-none-match': header } });
      expect([header, got.status]).toEqual([header, 200]);
    }
    expect((await call(running.url, 'GET', byId(id))).headers.get('etag')).toBe(etag);
  });

  it('lets exactly one of ten concurrent PATCHes with the same If-Match win', async () => {
    const { id, etag } = await create();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(running.url, 'PATCH', byId(id), {
          json: { full_name: `Racer Number ${i}` },
          headers: { 'if-match': etag },
        }),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, ...Array<number>(9).fill(412)]);
  });

  it('DELETEs only at a current If-Match; a stale one (or * on no user) is 412; without it, 204 as before', async () => {
    const { id, etag } = await create();
    await call(running.url, 'PATCH', byId(id), { json: { full_name: 'Moved On' } });
    const stale = await call(running.url, 'DELETE', byId(id), { headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    const current = (await call(running.url, 'GET', byId(id))).headers.get('etag') as string;
    expect((await call(running.url, 'DELETE', byId(id), { headers: { 'if-match': current } })).status).toBe(204);
    expect((await call(running.url, 'DELETE', byId(id), { headers: { 'if-match': '*' } })).status).toBe(412);
    expect((await call(running.url, 'DELETE', byId(id))).status).toBe(204);
  });

  it('moves the ETag on a write by a build that predates the version column (the trigger, during a rollout)', async () => {
    const { id, etag } = await create();
    // What the previous build's UPDATE looks like: it never names `version`.
    await running.db.query(`UPDATE users SET full_name = 'Old Build', updated_at = clock_timestamp() WHERE id = $1`, [
      id,
    ]);
    const reply = await call(running.url, 'GET', byId(id));
    expect(reply.body.full_name).toBe('Old Build');
    expect(reply.headers.get('etag')).not.toBe(etag);
    const lost = await call(running.url, 'PATCH', byId(id), {
      json: { full_name: 'Lost' },
      headers: { 'if-match': etag },
    });
    expect(lost.status).toBe(412);
  });
});
