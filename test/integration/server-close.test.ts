// closeServer: a keep-alive response whose headers went out before the drain, and which finishes after close(),
// leaves an idle connection that nothing else closes before keepAliveTimeout (620 s); the close must not wait for it.
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createDrain } from '../../shared/drain';
import { createLogger } from '../../shared/logging';
import { closeServer, createFunctionServer } from '../../shared/http/server';

it('closes a connection that goes idle after close() began, so the drain ends without the keep-alive timeout', async () => {
  const drain = createDrain();
  const logger = createLogger({ logLevel: 'error', logFormat: 'json' }, new PassThrough());
  let finishResponse!: () => void;
  let announceHeaders!: () => void;
  const headersSent = new Promise<void>((resolve) => (announceHeaders = resolve));
  const testServer = createFunctionServer(
    async (_request, response) => {
      // A slow response: keep-alive headers and half the body before the drain, the rest after close().
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2' });
      response.write('o');
      announceHeaders();
      await new Promise<void>((resolve) => (finishResponse = resolve));
      response.end('k');
    },
    { drain, logger, config: { requestTimeoutMs: 30_000, maxConnections: 0 } },
  );
  await new Promise<void>((resolve) => testServer.listen(0, '127.0.0.1', resolve));
  const { port } = testServer.address() as AddressInfo;

  const agent = new http.Agent({ keepAlive: true });
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    http.get({ port, host: '127.0.0.1', agent }, resolve).on('error', reject),
  );
  expect(response.headers.connection).toBe('keep-alive');
  const socketClosed = new Promise<void>((resolve) => response.socket.once('close', () => resolve()));
  await headersSent;

  drain.start();
  const started = Date.now();
  const closed = closeServer(testServer);
  finishResponse();
  let body = '';
  for await (const chunk of response) body += String(chunk);
  expect(body).toBe('ok');
  // The agent keeps the socket for reuse; only the server can close it, and it must, long before 620 s.
  await Promise.all([closed, socketClosed]);
  expect(Date.now() - started).toBeLessThan(30_000);
  agent.destroy();
});
