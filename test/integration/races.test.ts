// Races: uniqueness is decided by the database's unique indexes, keyset pages stay exact under inserts, and a write
// that deadlocks with another is retried rather than answered as an outage.
import { Client } from 'pg';
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

    // Insert concurrently with the walk. Bounded: new rows sort after every existing one, so a writer faster than
    // the walk (4 rows a page) would keep moving the end away and the walk would never finish.
    let inserting = true;
    let inserted = 0;
    const writer = (async () => {
      while (inserting && inserted < 60) {
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

interface User {
  id: string;
  email: string;
}

// Issue 9, "Deadlocks": two users swapping emails concurrently deadlock now and then; that is a lost race, not an
// outage. PGlite is one connection and cannot deadlock, so this needs PostgreSQL.
const describePostgres = backends.includes('postgres') ? describe : describe.skip;

describePostgres('a write that deadlocks on postgres', () => {
  const running = useApp({ backend: 'postgres' });

  it('is retried and answered as if there had been no deadlock, with no ERROR logged', async () => {
    const tag = `dl${Date.now().toString(36)}`;
    const make = async (n: number) =>
      (
        await call<User>(running.url, 'POST', '/api/v1/users', {
          json: { username: `${tag}${n}`, email: `${tag}${n}@example.com`, full_name: 'Dead Lock' },
        })
      ).body;
    const [a, b] = [await make(1), await make(2)];
    const wanted = `${tag}new@example.com`;

    // Another session takes b's row and the email, and will then ask for a's row. It never runs the deadlock check
    // first, so the service's statement is the one PostgreSQL aborts (after deadlock_timeout, 1 s by default).
    const other = new Client({ connectionString: running.db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SET LOCAL deadlock_timeout = '60s'`);
      await other.query('UPDATE users SET email = $1 WHERE id = $2', [wanted, b.id]);
      // The service takes a's row, then waits for the other session's email.
      const patch = call<User>(running.url, 'PATCH', `/api/v1/users/id/${a.id}`, { json: { email: wanted } });
      for (let waiting = false; !waiting; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const [row] = await running.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'usersvc' AND wait_event_type = 'Lock'`,
        );
        waiting = Number(row?.n) > 0;
      }
      // The cycle: resolved by aborting the service's statement, after which this one gets a's row.
      await other.query('UPDATE users SET full_name = $1 WHERE id = $2', ['Held Name', a.id]);
      await other.query('ROLLBACK');
      const reply = await patch;
      expect([reply.status, reply.body.email]).toEqual([200, wanted]);
    } finally {
      await other.end();
    }
    const deadlocked = await running.waitFor((line) => line.httpRequest?.requestMethod === 'PATCH');
    expect(deadlocked.httpRequest?.status).toBe(200);
    expect(running.logs.filter((line) => line.severity === 'ERROR')).toEqual([]);
  });
});
