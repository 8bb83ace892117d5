// Serves a FakeKn on a unix socket to bin/kn, the shim the scripts under test find on PATH as `kn`.
import http from 'node:http';
import type { FakeKn } from './fake-kn';

/** Where bin/kn looks for the server. */
export const SOCKET_ENV = 'FAKE_KN_SOCKET';

/**
 * Listens on `socket`. A request's body is kn's argv, each argument ended by a NUL byte (bin/kn sends
 * `printf '%s\0' "$@"`); the answer is 200 with kn's stdout, or 500 with its stderr for an exit code of 1.
 */
export async function serveFakeKn(kn: FakeKn, socket: string): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const argv = Buffer.concat(chunks).toString('utf8').split('\0').slice(0, -1);
      const answer = kn.run(argv);
      response.writeHead(answer.code === 0 ? 200 : 500, { 'content-type': 'text/plain' });
      response.end(answer.code === 0 ? answer.stdout : answer.stderr);
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
