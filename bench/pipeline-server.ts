// Diagnosis variant (a): our whole request pipeline (routing, validation, handlers, logging) on a bare
// node:http server, without Functions Framework, Express or the per-request domain. Same env as the service.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Request, Response } from '@google-cloud/functions-framework';
import { config } from '../shared/config';
import { database } from '../shared/db';
import { readBodyWithLimit } from '../shared/http/body-limit';
import { MAX_BODY_BYTES } from '../shared/http/json-body';
import { api } from '../functions/router';

async function main(): Promise<void> {
  await database();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // The pipeline reads only what node:http already has (url, headers, method, socket; writeHead, end):
    // the Express types are wider than what it uses.
    readBodyWithLimit(request, MAX_BODY_BYTES, () => void api(request as Request, response as Response));
  });
  server.listen(config().port, () => process.stderr.write('pipeline-server listening\n'));
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`pipeline-server failed: ${String(error)}\n`);
  process.exit(1);
});
