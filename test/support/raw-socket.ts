// One raw TCP connection to a server, for what an HTTP client cannot send: pipelined requests, bytes trickled slowly,
// connections held open without a request. Collects what the server sends until it closes the connection.
import net from 'node:net';

export interface RawConnection {
  socket: net.Socket;
  /** Everything received so far, as latin1 text. */
  text(): string;
  /** The status of each response received so far. */
  statuses(): number[];
  /** Resolves when the server (or a destroy) has closed the connection, with the milliseconds since it opened. */
  closed: Promise<number>;
  isClosed(): boolean;
  /** Resolves once `count` responses have fully arrived (their headers and Content-Length bytes). */
  responses(count: number, timeoutMs?: number): Promise<void>;
}

/** The responses in `text`, read by their framing (Content-Length, or no body): status and where each ends. */
function responsesIn(text: string): { status: number; complete: boolean }[] {
  const found: { status: number; complete: boolean }[] = [];
  let offset = 0;
  while (offset < text.length) {
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(text.slice(offset, offset + 13))?.[1];
    if (status === undefined) break;
    const headerEnd = text.indexOf('\r\n\r\n', offset);
    if (headerEnd === -1) return [...found, { status: Number(status), complete: false }];
    const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(offset, headerEnd))?.[1];
    offset = headerEnd + 4 + Number(length ?? 0);
    found.push({ status: Number(status), complete: offset <= text.length });
  }
  return found;
}

const statusesIn = (text: string) => responsesIn(text).map((response) => response.status);
const complete = (text: string, count: number) =>
  responsesIn(text).filter((response) => response.complete).length >= count;

export async function connectRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const opened = Date.now();
  let text = '';
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a reset after the answer: what was received is what counts
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      resolve(Date.now() - opened);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
    socket.once('close', () => resolve()); // refused at once: the caller sees isClosed()
  });
  return {
    socket,
    text: () => text,
    statuses: () => statusesIn(text),
    closed,
    isClosed: () => isClosed,
    async responses(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!complete(text, count)) {
        if (isClosed || Date.now() > deadline) {
          throw new Error(`expected ${count} responses, got: ${text.slice(0, 500) || '(nothing)'}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

/** Writes `bytes` on a new connection and resolves with what the server sent once it closed the connection. */
export async function exchangeRaw(
  url: string,
  bytes: string,
  timeoutMs = 20_000,
): Promise<{ text: string; statuses: number[] }> {
  const connection = await connectRaw(url);
  connection.socket.write(bytes);
  let kept = false;
  const timer = setTimeout(() => {
    kept = true;
    connection.socket.destroy();
  }, timeoutMs);
  await connection.closed;
  clearTimeout(timer);
  if (kept) throw new Error(`the server kept the connection open ${timeoutMs} ms; it sent: ${connection.text()}`);
  return { text: connection.text(), statuses: connection.statuses() };
}
