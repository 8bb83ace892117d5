// Races: uniqueness is decided by the database's unique indexes, and keyset pages stay exact under inserts.
import { useApp } from '../support/app';
import { backends } from '../support/database';
import { call, type Reply } from '../support/http';

interface Page {
  data: { id: string }[];
  next_cursor: string | null;
}

describe.each(backends)('concurrency on %s', (backend) => {
  const running = useApp({ backend });

  it('gives exactly one 201 and nineteen 409s for 20 concurrent creates of one username', async () => {
    const name = `race${Date.now().toString(36)}`;
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(running.url, 'POST', '/api/v1/users', {
          // Distinct emails, one username in different cases: only the case-insensitive index can stop them.
          json: {
            username: i % 2 ? name : name.toUpperCase(),
            email: `${name}${i}@example.com`,
            full_name: 'Race Runner',
          },
        }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
    const lookup = await call(running.url, 'GET', `/api/v1/users/username/${name}`);
    expect(lookup.status).toBe(200);
  });

  it('gives exactly one 201 for 20 concurrent creates of one email', async () => {
    const tag = `mail${Date.now().toString(36)}`;
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(running.url, 'POST', '/api/v1/users', {
          json: { username: `${tag}${i}`, email: `${tag}@Example.com`, full_name: 'Race Runner' },
        }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(19);
  });

  it('walks pages without repeating or skipping rows that existed when the walk began, while rows are inserted', async () => {
    const seedTag = `walk${Date.now().toString(36)}`;
    for (let i = 0; i < 30; i++) {
      const reply = await call(running.url, 'POST', '/api/v1/users', {
        json: { username: `${seedTag}${i}`, email: `${seedTag}${i}@example.com`, full_name: 'Page Walker' },
      });
      expect(reply.status).toBe(201);
    }
    const before = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: Page = (
        await call<Page>(running.url, 'GET', `/api/v1/users?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      page.data.forEach((u) => before.add(u.id));
      cursor = page.next_cursor;
    } while (cursor);

    // Insert continuously, concurrently with the walk.
    let inserting = true;
    let inserted = 0;
    const writer = (async () => {
      while (inserting) {
        const n = inserted++;
        await call(running.url, 'POST', '/api/v1/users', {
          json: { username: `${seedTag}new${n}`, email: `${seedTag}new${n}@example.com`, full_name: 'Late Comer' },
        });
      }
    })();

    const seen: string[] = [];
    cursor = null;
    do {
      const reply: Reply<Page> = await call<Page>(
        running.url,
        'GET',
        `/api/v1/users?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(reply.status).toBe(200);
      seen.push(...reply.body.data.map((u) => u.id));
      cursor = reply.body.next_cursor;
      await new Promise((resolve) => setTimeout(resolve, 5)); // let the writer interleave between pages
    } while (cursor);
    inserting = false;
    await writer;

    expect(inserted).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length); // no repeats
    const missing = [...before].filter((id) => !seen.includes(id));
    expect(missing).toEqual([]); // no skips
  });
});
