// A keyed POST survives the process: SIGKILL the service after it answered, start a new one on the same database,
// and the retry replays the first answer instead of creating the user again (the record was committed with the user).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, createServiceDatabase, type Backend } from '../support/database';
import { call } from '../support/http';
import { startService, type Service } from '../support/service';

/** The environment of a database that outlives the process: a PostgreSQL database, or PGlite in a folder. */
async function durableDatabase(backend: Backend) {
  if (backend === 'postgres') return createServiceDatabase('postgres');
  const dir = mkdtempSync(path.join(tmpdir(), 'usersvc-crash-'));
  return {
    env: { PGLITE_DATA_DIR: dir, DATABASE_URL: undefined, POSTGRES_HOST: undefined },
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

async function kill(service: Service): Promise<void> {
  service.process.kill('SIGKILL');
  await service.exited;
}

describe.each(backends)('a keyed create across a crash on %s', (backend) => {
  it('replays after SIGKILL and a restart, and the user exists once', async () => {
    const db = await durableDatabase(backend);
    const user = { username: `crash${Date.now().toString(36)}`, email: 'crash@example.com', full_name: 'Crash Test' };
    const request = { json: user, headers: { 'idempotency-key': 'crash-test-key' } };
    let service = await startService({ env: db.env });
    try {
      const first = await call(service.url, 'POST', '/api/v1/users', request);
      expect(first.status).toBe(201);
      await kill(service);
      expect(service.logs.map((line) => line.message)).not.toContain(
        'shutdown complete: server and database pool closed',
      );

      service = await startService({ env: db.env });
      const retry = await call(service.url, 'POST', '/api/v1/users', request);
      expect([retry.status, retry.text, retry.headers.get('location')]).toEqual([
        201,
        first.text,
        first.headers.get('location'),
      ]);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const found = await call<{ id: string }>(service.url, 'GET', `/api/v1/users/username/${user.username}`);
      expect(found.body.id).toBe((first.body as { id: string }).id);
      const page = await call<{ data: { username: string }[] }>(service.url, 'GET', '/api/v1/users?limit=200');
      expect(page.body.data.filter((u) => u.username === user.username)).toHaveLength(1);
    } finally {
      await kill(service);
      await db.drop();
    }
  });
});
