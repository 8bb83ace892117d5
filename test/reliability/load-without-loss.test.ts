// Sustained mixed load while creates and deletes race on 20 usernames: afterwards the users table holds every
// create the API acknowledged and did not acknowledge deleting, no acknowledged delete, and no row nobody was told of.
import http from 'node:http';
import { backends, createServiceDatabase, type ServiceDatabase } from '../support/database';
import { startService, type Service } from '../support/service';
import { runWorker, type LoadRun } from './support/load-workers';
import { Ledger, listAllUsers } from './support/users-ledger';

const API_KEY = 'reliability-suite-key-0123456789';
// LOAD_SECONDS shortens the run while developing; the suite runs 60 s on PostgreSQL.
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? '60');
// PGlite is one connection inside the service: a short run shows the same bookkeeping without the real pool.
const EMBEDDED_SECONDS = Math.min(LOAD_SECONDS, 10);
const WORKERS = 24;
const USERNAMES = Array.from({ length: 20 }, (_, i) => `loadrace${String(i).padStart(2, '0')}`);

describe.each(backends)('load without loss on %s', (backend) => {
  const seconds = backend === 'postgres' ? LOAD_SECONDS : EMBEDDED_SECONDS;
  let db: ServiceDatabase;
  let service: Service;
  const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });

  beforeAll(async () => {
    db = await createServiceDatabase(backend);
    service = await startService({ env: { ...db.env, API_KEY } });
  });

  afterAll(async () => {
    agent.destroy();
    await service?.stop();
    await db?.drop();
  });

  it(
    `keeps every acknowledged create and loses every acknowledged delete through ${seconds} s of racing writers`,
    async () => {
      const headers = { 'x-api-key': API_KEY };
      const seed = await listAllUsers(service.url, headers);
      const run: LoadRun = {
        baseUrl: service.url,
        apiKey: API_KEY,
        usernames: USERNAMES,
        deadline: Date.now() + seconds * 1000,
        agent,
        ledger: new Ledger(new Set(seed.map((user) => user.id))),
        createdIds: [],
        counts: new Map(),
        unexpected: [],
      };
      const started = Date.now();
      await Promise.all(Array.from({ length: WORKERS }, (_, worker) => runWorker(run, worker)));
      const elapsed = (Date.now() - started) / 1000;

      // Every response is in: compare the table with what the API acknowledged.
      const listed = await listAllUsers(service.url, headers);
      const rows =
        backend === 'postgres'
          ? await db.query<{ id: string; username: string }>('SELECT id::text AS id, username FROM users')
          : listed;
      const total = [...run.counts.values()].reduce((sum, n) => sum + n, 0);
      const byStatus = [...run.counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, n]) => `${key}: ${n}`)
        .join(', ');
      process.stdout.write(
        `load without loss on ${backend}: ${WORKERS} workers, ${elapsed.toFixed(1)} s, ${total} requests ` +
          `(${(total / elapsed).toFixed(0)}/s); ${run.ledger.created.size} creates and ` +
          `${[...run.ledger.deleted].filter((id) => run.ledger.created.has(id)).length} of them deleted acknowledged; ` +
          `${rows.length} rows at the end (${seed.length} seed)\n  by operation and status { ${byStatus} }\n`,
      );

      expect(run.unexpected).toEqual([]); // no 5xx, no reset connection, nothing outside each operation's set
      expect(run.ledger.discrepancies(rows.map((row) => row.id))).toEqual([]);
      // The listing (the API's own view) agrees with the table, and a username is held by one row at most.
      expect(new Set(listed.map((row) => row.id))).toEqual(new Set(rows.map((row) => row.id)));
      expect(new Set(rows.map((row) => row.username.toLowerCase())).size).toBe(rows.length);
      // The race did happen: usernames were created, deleted and created again.
      expect(run.ledger.created.size).toBeGreaterThan(USERNAMES.length);
      expect(run.counts.get('create 409') ?? 0).toBeGreaterThan(0);
      expect(service.process.exitCode).toBeNull();
      expect(service.logs.filter((line) => line.severity === 'ERROR' || line.severity === 'CRITICAL')).toEqual([]);
    },
    (seconds + 90) * 1000,
  );
});
