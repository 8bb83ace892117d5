// The benchmark's floor: bare node:http and a pg Pool running the service's own SQL (through
// shared/users/repository.ts, so the text cannot drift) for the same routes; no framework, validation or logging.
// Run as its own process: PORT, DATABASE_URL, DB_POOL_MAX.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import type { Queryable } from '../shared/db/database';
import { encodeCursor } from '../shared/users/cursor';
import {
  findUserById,
  findUserByUsername,
  insertUser,
  listUsers,
  updateUser,
  type VersionedUser,
} from '../shared/users/repository';
import type { CreateUserInput, PatchUserInput } from '../shared/users/schemas';

// A standalone program: its three settings come straight from the environment.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX || 10) });

/** The Queryable the repository needs, as shared/db/postgres.ts does it minus the error translation. */
const db: Queryable = {
  async query<Row>(statement: { name: string; text: string } | string, values?: readonly unknown[]) {
    const config = typeof statement === 'string' ? { text: statement } : statement;
    const result = await pool.query({ ...config, values: values as unknown[] | undefined });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  },
};

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** The body as JSON, unchecked: the baseline trusts the bench to send what the service would accept. */
function readJson<T>(req: IncomingMessage): Promise<T> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    req.on('error', reject);
  });
}

function user(res: ServerResponse, found: VersionedUser | undefined, status = 200): void {
  if (found) reply(res, status, found.user);
  else reply(res, 404, { code: 'USER_NOT_FOUND' });
}

async function list(res: ServerResponse, query: URLSearchParams): Promise<void> {
  const limit = Number(query.get('limit') ?? 50);
  const cursor = query.get('cursor');
  const [createdAt, id] = cursor
    ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string])
    : [];
  const after = createdAt && id ? { createdAt, id } : undefined;
  const { users, hasMore } = await listUsers(db, limit, after);
  const last = users[users.length - 1];
  const next = hasMore && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null;
  reply(res, 200, { data: users, next_cursor: next });
}

const USERS = '/api/v1/users';
const BY_ID = '/api/v1/users/id/';
const BY_USERNAME = '/api/v1/users/username/';

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method === 'GET' && path.startsWith(BY_ID)) {
    return user(res, await findUserById(db, path.slice(BY_ID.length)));
  }
  if (req.method === 'GET' && path.startsWith(BY_USERNAME)) {
    return user(res, await findUserByUsername(db, decodeURIComponent(path.slice(BY_USERNAME.length))));
  }
  if (req.method === 'GET' && path === USERS) return list(res, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
  if (req.method === 'POST' && path === USERS) {
    return user(res, await insertUser(db, await readJson<CreateUserInput>(req)), 201);
  }
  if (req.method === 'PATCH' && path.startsWith(BY_ID)) {
    return user(res, await updateUser(db, path.slice(BY_ID.length), await readJson<PatchUserInput>(req)));
  }
  if (path === '/health') return reply(res, 200, { status: 'ok' });
  if (path === '/ready') {
    await pool.query('SELECT 1');
    return reply(res, 200, { status: 'ready' });
  }
  reply(res, 404);
}

const server = createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    if (!res.headersSent) reply(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
});

server.listen(Number(process.env.PORT || 8080), () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ message: 'baseline listening', port })}\n`);
});

process.once('SIGTERM', () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
});
