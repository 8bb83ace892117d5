// Issue 9, "Connections and timeouts", reproduced against the compiled service (dist/functions/main.js) as an attacker,
// a slow network and an exhausted file-descriptor table would meet it: slow bodies, idle sockets by the thousand,
// requests pipelined behind a refused body, a declared size on a bodiless method, descriptors running out, and two
// users swapping emails concurrently.
import { backends, createServiceDatabase, type ServiceDatabase } from '../support/database';
import { call } from '../support/http';
import { connectRaw, exchangeRaw, type RawConnection } from '../support/raw-socket';
import { ENTRYPOINT, startService, type Service } from '../support/service';

const REQUEST_TIMEOUT_MS = 1000;
const MAX_CONNECTIONS = 32;
// Generous: what matters is that a connection does close, on a busy machine too.
const WITHIN_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backend = backends.includes('postgres') ? 'postgres' : 'embedded';
const describePostgres = backends.includes('postgres') ? describe : describe.skip;

/** Waits for the connection to close, at most WITHIN_MS; resolves with whether it did. */
async function closes(connection: RawConnection): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([connection.closed, new Promise((resolve) => (timer = setTimeout(resolve, WITHIN_MS)))]);
  clearTimeout(timer);
  return connection.isClosed();
}

const errorLines = (service: Service) =>
  service.logs.filter((line) => line.severity === 'ERROR' || line.severity === 'CRITICAL');

describe(`connections and timeouts on ${backend}`, () => {
  let db: ServiceDatabase;
  let service: Service;

  beforeAll(async () => {
    db = await createServiceDatabase(backend);
    service = await startService({
      env: { ...db.env, REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), MAX_CONNECTIONS: String(MAX_CONNECTIONS) },
    });
  });
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  const createUser = async (name: string) => {
    const reply = await call<{ id: string }>(service.url, 'POST', '/api/v1/users', {
      json: { username: name, email: `${name}@example.com`, full_name: 'Reliability Run' },
    });
    expect(reply.status).toBe(201);
    return reply.body.id;
  };

  it('answers a body trickled slower than REQUEST_TIMEOUT_MS with 408 and closes the connection', async () => {
    const connection = await connectRaw(service.url);
    connection.socket.write(
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{',
    );
    const drip = setInterval(() => connection.isClosed() || connection.socket.write(' '), 500);
    const closed = await closes(connection);
    clearInterval(drip);
    connection.socket.destroy();
    expect(closed).toBe(true);
    expect(connection.statuses()).toEqual([408]);
    expect(connection.text()).toContain('"code":"REQUEST_TIMEOUT"');
    expect(await connection.closed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
  });

  it('answers headers trickled slower than REQUEST_TIMEOUT_MS with 408 and closes the connection', async () => {
    const connection = await connectRaw(service.url);
    connection.socket.write('GET /api/v1/users HTTP/1.1\r\n');
    const drip = setInterval(() => connection.isClosed() || connection.socket.write('X-Drip: 1\r\n'), 300);
    const closed = await closes(connection);
    clearInterval(drip);
    connection.socket.destroy();
    expect(closed).toBe(true);
    expect(connection.statuses()).toEqual([408]);
  });

  it(`holds at most MAX_CONNECTIONS (${MAX_CONNECTIONS}) idle sockets, closing them to let the next client in`, async () => {
    const idle: RawConnection[] = [];
    for (let i = 0; i < MAX_CONNECTIONS; i++) {
      const connection = await connectRaw(service.url);
      connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      await connection.responses(1);
      idle.push(connection);
    }
    const extra = await connectRaw(service.url);
    extra.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await closes(extra)).toBe(true);
    expect(extra.statuses()).toEqual([]);
    expect(await Promise.all(idle.map(closes))).toEqual(idle.map(() => true));
    expect((await call(service.url, 'GET', '/health')).status).toBe(200);
  });

  it.each([
    ['declared', (body: string) => `Content-Length: ${body.length}\r\n\r\n${body}`],
    [
      'chunked',
      (body: string) => `Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    ],
  ])('runs nothing pipelined behind a body refused with 413 (%s)', async (_framing, frame) => {
    const name = `pipe${Date.now().toString(36)}`;
    const follower = JSON.stringify({ username: name, email: `${name}@example.com`, full_name: 'Pipe Lined' });
    const { statuses } = await exchangeRaw(
      service.url,
      `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${frame(`{"x":"${'a'.repeat(70_000)}"}`)}` +
        `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${follower.length}\r\n\r\n${follower}`,
    );
    expect(statuses).toEqual([413]);
    await sleep(1000); // had the follower run, its insert might still be on its way
    expect((await call(service.url, 'GET', `/api/v1/users/username/${name}`)).status).toBe(404);
  });

  it('answers DELETE with Content-Length: 999999999 and no body with 413, deleting nothing', async () => {
    const id = await createUser(`decl${Date.now().toString(36)}`);
    const { statuses, text } = await exchangeRaw(
      service.url,
      `DELETE /api/v1/users/id/${id} HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n`,
    );
    expect(statuses).toEqual([413]);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect((await call(service.url, 'GET', `/api/v1/users/id/${id}`)).status).toBe(200);
  });

  it('serves an absolute-form target and refuses Transfer-Encoding: gzip, chunked', async () => {
    const absolute = await exchangeRaw(
      service.url,
      'GET http://usersvc.example/api/v1/users?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(absolute.statuses).toEqual([200]);
    const gzip = await exchangeRaw(
      service.url,
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    );
    expect(gzip.statuses).toEqual([400]);
    expect(gzip.text).toContain('"code":"UNSUPPORTED_TRANSFER_CODING"');
  });

  it('logged none of it as ERROR and is still running', () => {
    expect(errorLines(service)).toEqual([]);
    expect(service.process.exitCode).toBeNull();
  });
});

describePostgres('out of file descriptors on postgres', () => {
  // Low enough that a few dozen sockets exhaust it; Node cannot raise it, as `ulimit -n` sets the hard limit too.
  const FD_LIMIT = 64;
  let db: ServiceDatabase;
  let service: Service | undefined;
  const held: RawConnection[] = [];

  beforeAll(async () => {
    db = await createServiceDatabase('postgres');
  });
  afterAll(async () => {
    for (const connection of held) connection.socket.destroy();
    await service?.stop();
    await db?.drop();
  });

  it('answers a database request that cannot open a socket (EMFILE) with 503 and Retry-After, never 500', async () => {
    service = await startService({
      command: ['bash', '-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, ENTRYPOINT],
      // No cap and a long timeout: here the descriptors, not the server's limits, run out.
      env: { ...db.env, MAX_CONNECTIONS: '0', REQUEST_TIMEOUT_MS: '120000' },
    });
    const running = service;
    // Requests whose bodies are still to come: in flight, so nothing closes them to free a descriptor.
    const pending =
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n';
    for (let i = 0; i < FD_LIMIT * 2 && !held.some((c) => c.isClosed()); i++) {
      const connection = await connectRaw(running.url);
      connection.socket.write(pending);
      held.push(connection);
      if (i % 8 === 7) await sleep(200); // let refused ones show
    }
    await sleep(500);
    const open = held.filter((connection) => !connection.isClosed());
    expect(open.length).toBeLessThan(held.length); // the table is full: the kernel refused descriptors

    // Several creates at once: the pool needs new connections to the database, and gets EMFILE.
    const creates = open.slice(0, 8);
    creates.forEach((connection, i) => {
      const name = `fd${i}x${Date.now().toString(36)}`;
      connection.socket.write(
        JSON.stringify({ username: name, email: `${name}@example.com`, full_name: 'Out Of Files' }).padEnd(120),
      );
    });
    await Promise.all(creates.map((connection) => connection.responses(1)));
    const statuses = creates.flatMap((connection) => connection.statuses());
    console.log(`out of file descriptors: held ${open.length} of ${held.length} sockets; creates answered ${statuses}`);
    expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    for (const connection of creates.filter((c) => c.statuses()[0] === 503)) {
      expect(connection.text()).toMatch(/\r\nRetry-After: \d+\r\n/i);
      expect(connection.text()).toContain('"code":"DATABASE_UNAVAILABLE"');
    }
    expect(running.logs.filter((line) => line.httpRequest?.status === 500)).toEqual([]);

    // Descriptors back: the same process serves again.
    for (const connection of held) connection.socket.destroy();
    let ready = 0;
    for (let attempt = 0; attempt < 50 && ready !== 200; attempt++) {
      await sleep(200);
      ready = (await call(running.url, 'GET', '/ready')).status;
    }
    expect(ready).toBe(200);
    const name = `fdok${Date.now().toString(36)}`;
    const created = await call(running.url, 'POST', '/api/v1/users', {
      json: { username: name, email: `${name}@example.com`, full_name: 'Files Back' },
    });
    expect(created.status).toBe(201);
    expect(running.process.exitCode).toBeNull();
  });
});

describePostgres('users swapping emails concurrently on postgres', () => {
  let db: ServiceDatabase;
  let service: Service;

  beforeAll(async () => {
    db = await createServiceDatabase('postgres');
    service = await startService({ env: db.env });
  });
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  it('answers every swap 200 or 409, never 503, and logs no deadlock at ERROR', async () => {
    const PAIRS = 8;
    const ROUNDS = 15;
    const tag = `sw${Date.now().toString(36)}`;
    const users = await Promise.all(
      Array.from({ length: PAIRS * 2 }, async (_, i) => {
        const reply = await call<{ id: string; email: string }>(service.url, 'POST', '/api/v1/users', {
          json: { username: `${tag}${i}`, email: `${tag}${i}@example.com`, full_name: 'Swap Per' },
        });
        expect(reply.status).toBe(201);
        return reply.body;
      }),
    );
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: PAIRS }, async (_, pair) => {
        const [a, b] = [users[pair * 2], users[pair * 2 + 1]] as [{ id: string }, { id: string }];
        for (let round = 0; round < ROUNDS; round++) {
          // Each takes the other's address: the unique index makes them wait on each other.
          const replies = await Promise.all([
            call(service.url, 'PATCH', `/api/v1/users/id/${a.id}`, {
              json: { email: `${tag}${pair * 2 + 1}@example.com` },
            }),
            call(service.url, 'PATCH', `/api/v1/users/id/${b.id}`, {
              json: { email: `${tag}${pair * 2}@example.com` },
            }),
          ]);
          for (const reply of replies) statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        }
      }),
    );
    await sleep(1000); // backends report their statistics when idle
    const [stats] = await db.query<{ deadlocks: string }>(
      'SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()',
    );
    const deadlocks = Number(stats?.deadlocks);
    console.log(
      `email swaps: ${[...statuses].map(([status, n]) => `${status}×${n}`).join(', ')}; ` +
        `PostgreSQL detected ${deadlocks} deadlocks, each retried by the service`,
    );
    // How many deadlocks a run meets varies (issue 9 saw 3 in 1,040 requests); the deterministic case that always
    // meets one is test/integration/races.test.ts. Whatever the count, none may surface as a 503 or an ERROR line.
    expect([...statuses.keys()].filter((status) => status !== 200 && status !== 409)).toEqual([]);
    expect(errorLines(service)).toEqual([]);
  });
});
