// The production server's connection handling (shared/http/server.ts), over raw sockets against the in-process node
// server: the request timeout (408, connection closed) and the connection cap. Issue 9, "Connections and timeouts".
import { useApp } from '../support/app';
import { call } from '../support/http';
import { connectRaw, exchangeRaw, type RawConnection } from '../support/raw-socket';

/** A create request's body for a user no other test has (username from the prefix and the time). */
const newUserJson = (prefix: string, fullName: string) =>
  JSON.stringify({
    username: `${prefix}${Date.now().toString(36)}`,
    email: `${prefix}@example.com`,
    full_name: fullName,
  });

const REQUEST_TIMEOUT_MS = 1000;
// Generous: the machine running the tests may be busy; what matters is that the connection does close.
const CLOSES_WITHIN_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for a connection to close, at most CLOSES_WITHIN_MS (leaving no timer behind). */
async function closedWithinBound(connection: RawConnection): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([connection.closed, new Promise((resolve) => (timer = setTimeout(resolve, CLOSES_WITHIN_MS)))]);
  clearTimeout(timer);
}

/** Writes one byte every intervalMs until the server closes the connection (or the bound passes). */
async function trickle(connection: RawConnection, bytes: string, intervalMs: number): Promise<number> {
  const timer = setInterval(() => {
    if (!connection.isClosed()) connection.socket.write(bytes);
  }, intervalMs);
  const bound = setTimeout(() => connection.socket.destroy(), CLOSES_WITHIN_MS);
  try {
    return await connection.closed;
  } finally {
    clearInterval(timer);
    clearTimeout(bound);
  }
}

describe('the request timeout (REQUEST_TIMEOUT_MS)', () => {
  const running = useApp({ env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });

  it('answers a body trickled past the timeout with 408 problem details and closes the connection', async () => {
    const connection = await connectRaw(running.url);
    connection.socket.write(
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    // One byte every 200 ms: the 100-byte body would take 20 s.
    const closedAfter = await trickle(connection, ' ', 200);
    expect(connection.statuses()).toEqual([408]);
    expect(connection.text()).toMatch(/\r\nConnection: close\r\n/i);
    expect(connection.text()).toContain('"code":"REQUEST_TIMEOUT"');
    expect(closedAfter).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(closedAfter).toBeLessThan(CLOSES_WITHIN_MS);
    const line = await running.waitFor((l) => l.httpRequest?.status === 408);
    expect(line).toMatchObject({ severity: 'WARNING', route: 'unmatched' });
  });

  it('answers headers trickled past the timeout with 408 problem details and closes the connection', async () => {
    const connection = await connectRaw(running.url);
    connection.socket.write('GET /api/v1/users HTTP/1.1\r\nHost: x\r\n');
    const closedAfter = await trickle(connection, 'X-Slow: y\r\n', 200);
    expect(connection.statuses()).toEqual([408]);
    expect(connection.text()).toMatch(/\r\nConnection: close\r\n/i);
    const body = JSON.parse(connection.text().slice(connection.text().indexOf('\r\n\r\n') + 4)) as Record<
      string,
      string
    >;
    expect(body).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    expect(connection.text()).toContain(`X-Request-ID: ${body.request_id}\r\n`);
    expect(closedAfter).toBeLessThan(CLOSES_WITHIN_MS);
  });

  it('serves a body that arrives in pieces within the timeout', async () => {
    const body = newUserJson('slow', 'Slow Sender');
    const connection = await connectRaw(running.url);
    connection.socket.write(
      `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    await sleep(150);
    connection.socket.write(body.slice(0, 10));
    await sleep(150);
    connection.socket.write(body.slice(10));
    await connection.responses(1);
    expect(connection.statuses()).toEqual([201]);
    connection.socket.destroy();
  });

  it('times each request, not the connection: a keep-alive connection idle past the timeout still serves', async () => {
    const connection = await connectRaw(running.url);
    connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await connection.responses(1);
    await sleep(REQUEST_TIMEOUT_MS * 2.5);
    connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await connection.responses(2);
    expect(connection.statuses()).toEqual([200, 200]);
    expect(connection.isClosed()).toBe(false);
    connection.socket.destroy();
  });
});

describe('Expect: 100-continue', () => {
  const running = useApp();
  const head = (length: number, extra = '') =>
    `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n` +
    `Expect: 100-continue\r\n${extra}\r\n`;

  // Issue 19, row 5: a 100 would invite the client to send 70 KB that the server then refuses unread.
  it('refuses a declared body over 64 KiB with 413 at once, never a 100 first', async () => {
    const { text, statuses } = await exchangeRaw(running.url, head(70_000));
    expect(statuses).toEqual([413]);
    expect(text).not.toContain('100 Continue');
    expect(text).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });

  it('refuses a transfer coding other than chunked with 400 at once, never a 100 first', async () => {
    const connection = await connectRaw(running.url);
    connection.socket.write(
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: gzip, chunked\r\nExpect: 100-continue\r\n\r\n',
    );
    await closedWithinBound(connection);
    expect(connection.statuses()).toEqual([400]);
    expect(connection.text()).toContain('"code":"UNSUPPORTED_TRANSFER_CODING"');
  });

  it('answers an acceptable body with 100 Continue, then serves it', async () => {
    const body = newUserJson('continue', 'Patient Sender');
    const connection = await connectRaw(running.url);
    connection.socket.write(head(Buffer.byteLength(body)));
    await connection.responses(1);
    expect(connection.statuses()).toEqual([100]);
    connection.socket.write(body);
    await connection.responses(2);
    expect(connection.statuses()).toEqual([100, 201]);
    connection.socket.destroy();
  });
});

describe('the connection cap (MAX_CONNECTIONS)', () => {
  const MAX_CONNECTIONS = 4;
  const running = useApp({ env: { MAX_CONNECTIONS: String(MAX_CONNECTIONS) } });

  it('holds at most MAX_CONNECTIONS, and closes idle keep-alive ones so that the next client gets in', async () => {
    // Clients that made a request each and keep their connection open, idle.
    const idle: RawConnection[] = [];
    for (let i = 0; i < MAX_CONNECTIONS; i++) {
      const connection = await connectRaw(running.url);
      connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      await connection.responses(1);
      idle.push(connection);
    }
    // One over the cap: closed without an answer, and the idle connections are closed to make room.
    const over = await connectRaw(running.url);
    over.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await closedWithinBound(over);
    expect([over.isClosed(), over.statuses()]).toEqual([true, []]);
    await Promise.all(idle.map(closedWithinBound));
    expect(idle.map((connection) => connection.isClosed())).toEqual(idle.map(() => true));
    // The next client is served.
    expect((await call(running.url, 'GET', '/health')).status).toBe(200);
  });

  it('never closes a connection with a request in flight to make room', async () => {
    const busy = await connectRaw(running.url);
    // A request still sending its body: not idle.
    busy.socket.write(
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{',
    );
    const others: RawConnection[] = [];
    for (let i = 0; i < MAX_CONNECTIONS; i++) others.push(await connectRaw(running.url));
    await sleep(300);
    expect(busy.isClosed()).toBe(false);
    busy.socket.write('}');
    await busy.responses(1);
    expect(busy.statuses()).toEqual([400]); // {} is no user, but it was heard to the end
    for (const connection of [busy, ...others]) connection.socket.destroy();
  });
});
