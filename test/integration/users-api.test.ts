// Every row of the API table, in-process over real HTTP, on PGlite and (with DATABASE_URL) on PostgreSQL, served as
// production serves it (the framework's app: functions-framework.test.ts).
import { useApp } from '../support/app';
import { backends } from '../support/database';
import { call } from '../support/http';
import type { User } from '../../shared/users/repository';

interface Page {
  data: User[];
  next_cursor: string | null;
}

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${counter++}`;

describe.each(backends)('users API on %s', (backend) => {
  const running = useApp({ backend });
  const create = (fields: Partial<Record<keyof User, unknown>>) =>
    call<User>(running.url, 'POST', '/api/v1/users', { json: fields });
  const newUser = async () => {
    const name = unique('u');
    const reply = await create({ username: name, email: `${name}@example.com`, full_name: 'Test User' });
    expect(reply.status).toBe(201);
    return reply.body;
  };

  describe('POST /api/v1/users', () => {
    it('creates a user with 201, a Location header and the stored representation', async () => {
      const name = unique('Create');
      const reply = await create({
        username: name,
        email: `  ${name}@Example.COM`.trim(),
        full_name: "  Zoë  O'Brien-Ünal ",
      });
      expect(reply.status).toBe(201);
      expect(reply.body.id).toMatch(UUID);
      expect(reply.headers.get('location')).toBe(`/api/v1/users/id/${reply.body.id}`);
      expect(reply.body).toMatchObject({
        username: name,
        email: `${name.toLowerCase()}@example.com`,
        full_name: "Zoë O'Brien-Ünal",
      });
      expect(reply.body.created_at).toMatch(RFC3339_UTC);
      expect(reply.body.updated_at).toBe(reply.body.created_at);
      expect(Object.keys(reply.body).sort()).toEqual([
        'created_at',
        'email',
        'full_name',
        'id',
        'updated_at',
        'username',
      ]);
    });

    it('stores what it returned: GET by the Location header gives the same user', async () => {
      const created = await newUser();
      const fetched = await call<User>(running.url, 'GET', `/api/v1/users/id/${created.id}`);
      expect(fetched.body).toEqual(created);
    });
  });

  describe('GET /api/v1/users/id/:id', () => {
    it('returns 200 and the user', async () => {
      const user = await newUser();
      const reply = await call<User>(running.url, 'GET', `/api/v1/users/id/${user.id}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(user);
    });

    it('returns 404 problem details for a UUID no user has', async () => {
      const reply = await call(running.url, 'GET', '/api/v1/users/id/00000000-0000-4000-8000-000000000000');
      expect(reply.status).toBe(404);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    });

    it('returns 400 naming path.id when :id is not a UUID', async () => {
      const reply = await call(running.url, 'GET', '/api/v1/users/id/not-a-uuid');
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([{ field: 'path.id', message: 'must be a UUID' }]);
    });

    // Issue 9, "UUIDs as PostgreSQL reads them": clients test "not found" with ids like this one (no version bits).
    it('reads any 8-4-4-4-12 hex id as PostgreSQL does: 404 GET and PATCH, 204 DELETE for one no user has', async () => {
      for (const id of ['12345678-1234-1234-1234-123456789012', 'ABCDEF12-0000-0000-0000-00000000000F']) {
        const get = await call(running.url, 'GET', `/api/v1/users/id/${id}`);
        expect([get.status, get.body.code]).toEqual([404, 'USER_NOT_FOUND']);
        expect(get.body.detail).toBe(`No user has id "${id.toLowerCase()}".`);
        const patch = await call(running.url, 'PATCH', `/api/v1/users/id/${id}`, { json: { full_name: 'No One' } });
        expect([patch.status, patch.body.code]).toEqual([404, 'USER_NOT_FOUND']);
        expect((await call(running.url, 'DELETE', `/api/v1/users/id/${id}`)).status).toBe(204);
      }
    });

    it('finds a user by its id in upper case or in braces, and answers with the canonical id', async () => {
      const user = await newUser();
      for (const id of [user.id.toUpperCase(), `{${user.id}}`, encodeURIComponent(`{${user.id.toUpperCase()}}`)]) {
        const reply = await call<User>(running.url, 'GET', `/api/v1/users/id/${id}`);
        expect([id, reply.status, reply.body.id]).toEqual([id, 200, user.id]);
      }
    });

    it.each([
      ['without hyphens', '12345678123412341234123456789012'],
      ['grouped otherwise', '1234-5678-1234-1234-1234-1234-5678-9012'],
      ['with a URN prefix', 'urn:uuid:12345678-1234-1234-1234-123456789012'],
      ['with a brace missing', '{12345678-1234-1234-1234-123456789012'],
      ['with a non-hex digit', '12345678-1234-1234-1234-12345678901g'],
    ])('refuses an id %s with 400 naming path.id', async (_form, id) => {
      const reply = await call(running.url, 'GET', `/api/v1/users/id/${encodeURIComponent(id)}`);
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([{ field: 'path.id', message: 'must be a UUID' }]);
    });
  });

  describe('GET /api/v1/users/username/:username', () => {
    it('returns 200 and the user, matching the username case-insensitively', async () => {
      const user = await newUser();
      const reply = await call<User>(running.url, 'GET', `/api/v1/users/username/${user.username.toUpperCase()}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(user);
    });

    it('finds the demo users on a seeded database', async () => {
      if (backend !== 'embedded') return; // the embedded default seeds; PostgreSQL test databases start empty
      const reply = await call<User>(running.url, 'GET', '/api/v1/users/username/jdoe');
      expect(reply.body).toMatchObject({ username: 'jdoe', email: 'jdoe@example.com', full_name: 'John Doe' });
    });

    it('returns 404 when no user has the username', async () => {
      const reply = await call(running.url, 'GET', `/api/v1/users/username/${unique('nobody')}`);
      expect(reply.status).toBe(404);
      expect(reply.body.code).toBe('USER_NOT_FOUND');
    });
  });

  describe('PATCH /api/v1/users/id/:id', () => {
    it('changes only the fields sent and moves updated_at', async () => {
      const user = await newUser();
      const reply = await call<User>(running.url, 'PATCH', `/api/v1/users/id/${user.id}`, {
        json: { full_name: 'Renamed Person' },
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ ...user, full_name: 'Renamed Person', updated_at: reply.body.updated_at });
      expect(reply.body.updated_at > user.updated_at).toBe(true);
      expect(reply.body.created_at).toBe(user.created_at);
      const stored = await call<User>(running.url, 'GET', `/api/v1/users/id/${user.id}`);
      expect(stored.body).toEqual(reply.body);
    });

    it('changes username and email together, lower-casing the email', async () => {
      const user = await newUser();
      const name = unique('Moved');
      const reply = await call<User>(running.url, 'PATCH', `/api/v1/users/id/${user.id}`, {
        json: { username: name, email: `${name}@EXAMPLE.org` },
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ username: name, email: `${name.toLowerCase()}@example.org` });
    });

    it('returns 409 when moving to another user’s username (any case) or email, and changes nothing', async () => {
      const [first, second] = [await newUser(), await newUser()];
      const byName = await call(running.url, 'PATCH', `/api/v1/users/id/${second.id}`, {
        json: { username: first.username.toUpperCase() },
      });
      expect(byName.status).toBe(409);
      expect(byName.body.errors).toEqual([{ field: 'username', message: 'is already taken' }]);
      const byEmail = await call(running.url, 'PATCH', `/api/v1/users/id/${second.id}`, {
        json: { email: first.email },
      });
      expect(byEmail.status).toBe(409);
      expect(byEmail.body.errors).toEqual([{ field: 'email', message: 'is already taken' }]);
      const unchanged = await call<User>(running.url, 'GET', `/api/v1/users/id/${second.id}`);
      expect(unchanged.body).toEqual(second);
    });

    it('returns 400 when no known field is sent', async () => {
      const user = await newUser();
      const reply = await call(running.url, 'PATCH', `/api/v1/users/id/${user.id}`, { json: {} });
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('VALIDATION_FAILED');
    });

    it('returns 400 for an unknown field rather than dropping it', async () => {
      const user = await newUser();
      const reply = await call(running.url, 'PATCH', `/api/v1/users/id/${user.id}`, {
        json: { full_name: 'Fine Name', is_admin: true },
      });
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([{ field: 'is_admin', message: 'is not a known field' }]);
    });

    it('returns 404 for a user that does not exist', async () => {
      const reply = await call(running.url, 'PATCH', '/api/v1/users/id/00000000-0000-4000-8000-000000000000', {
        json: { full_name: 'Nobody Here' },
      });
      expect(reply.status).toBe(404);
    });
  });

  describe('DELETE /api/v1/users/id/:id', () => {
    it('returns 204, the user is gone, and a second delete is 204 too', async () => {
      const user = await newUser();
      const first = await call(running.url, 'DELETE', `/api/v1/users/id/${user.id}`);
      expect(first.status).toBe(204);
      expect(first.text).toBe('');
      expect((await call(running.url, 'GET', `/api/v1/users/id/${user.id}`)).status).toBe(404);
      expect((await call(running.url, 'DELETE', `/api/v1/users/id/${user.id}`)).status).toBe(204);
    });

    it('returns 400 when :id is not a UUID', async () => {
      const reply = await call(running.url, 'DELETE', '/api/v1/users/id/123');
      expect(reply.status).toBe(400);
    });

    it('frees the username and email for reuse', async () => {
      const user = await newUser();
      await call(running.url, 'DELETE', `/api/v1/users/id/${user.id}`);
      const again = await create({ username: user.username, email: user.email, full_name: 'Second Life' });
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(user.id);
    });
  });

  describe('GET /api/v1/users', () => {
    const walk = async (limit: number) => {
      const seen: User[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const reply = await call<Page>(running.url, 'GET', `/api/v1/users${query}`);
        expect(reply.status).toBe(200);
        expect(reply.body.data.length).toBeLessThanOrEqual(limit);
        seen.push(...reply.body.data);
        cursor = reply.body.next_cursor;
        pages++;
      } while (cursor);
      return { seen, pages };
    };

    it('walks every user exactly once in (created_at, id) order, page by page', async () => {
      for (let i = 0; i < 7; i++) await newUser();
      const everything = (await call<Page>(running.url, 'GET', '/api/v1/users?limit=200')).body.data;
      const { seen, pages } = await walk(3);
      expect(seen.map((u) => u.id)).toEqual(everything.map((u) => u.id));
      expect(new Set(seen.map((u) => u.id)).size).toBe(seen.length);
      expect(pages).toBe(Math.ceil(everything.length / 3));
      const keys = seen.map((u) => `${u.created_at}|${u.id}`);
      expect([...keys].sort()).toEqual(keys);
    });

    it('defaults to 50 per page and says next_cursor null on the last page', async () => {
      const reply = await call<Page>(running.url, 'GET', '/api/v1/users');
      expect(reply.status).toBe(200);
      expect(reply.body.data.length).toBeLessThanOrEqual(50);
      if (reply.body.data.length < 50) expect(reply.body.next_cursor).toBeNull();
    });

    it.each(['0', '201', '-1', 'abc', '1.5', ''])('rejects limit=%p with 400 naming query.limit', async (limit) => {
      const reply = await call(running.url, 'GET', `/api/v1/users?limit=${limit}`);
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([expect.objectContaining({ field: 'query.limit' })]);
    });

    it.each([
      'garbage!',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('["2026-01-01T00:00:00.000000Z","not-a-uuid"]').toString('base64url'),
      Buffer.from('["yesterday","00000000-0000-4000-8000-000000000000"]').toString('base64url'),
    ])('rejects an invalid cursor %p with 400', async (cursor) => {
      const reply = await call(running.url, 'GET', `/api/v1/users?cursor=${encodeURIComponent(cursor)}`);
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([{ field: 'query.cursor', message: 'is not a valid cursor' }]);
    });

    it('rejects an unknown query parameter with 400', async () => {
      const reply = await call(running.url, 'GET', '/api/v1/users?offset=10');
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([{ field: 'query.offset', message: 'is not a known field' }]);
    });

    it.each(['limit=1&limit=3', 'limit=2&limit=2', 'cursor=a&limit=5&cursor=b'])(
      'rejects a repeated query parameter (%s) with 400 naming it, not the last one winning',
      async (query) => {
        const reply = await call(running.url, 'GET', `/api/v1/users?${query}`);
        expect(reply.status).toBe(400);
        const repeated = query.startsWith('cursor') ? 'query.cursor' : 'query.limit';
        expect(reply.body.errors).toEqual([{ field: repeated, message: 'must be given once' }]);
      },
    );
  });
});
