// PostgreSQL going away under load and at start-up: fast 503s with Retry-After, no 500, recovery without restart.
import { createServiceDatabase, type ServiceDatabase } from '../support/database';
import { startService, type Service } from '../support/service';
import { startTcpProxy, type CutMode, type TcpProxy } from './support/tcp-proxy';

const STATEMENT_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 1000;
// The pool bounds a query client-side at statement timeout + 1 s (a cut network never delivers the server's own
// cancel), and a request may first wait up to the connect timeout for a connection; the rest is scheduling slack.
const FAILURE_BOUND_MS = STATEMENT_TIMEOUT_MS + CONNECT_TIMEOUT_MS + 2000;
const READY_DOWN_WITHIN_MS = 2000;
const RECOVER_WITHIN_MS = 5000;
// Longer than the bound, so a request that hangs until the database comes back breaks it instead of succeeding late.
const CUT_HOLD_MS = FAILURE_BOUND_MS + 1500;
const CLIENTS = 4;
const REQUEST_TIMEOUT_MS = 20_000;

const adminUrl = process.env.DATABASE_URL;
const describePostgres = adminUrl ? describe : describe.skip;
if (!adminUrl) {
  process.stderr.write('database-faults: DATABASE_URL is unset, so the PostgreSQL fault tests are skipped.\n');
}

interface Outcome {
  kind: 'get' | 'post' | 'probe';
  /** Milliseconds since the scenario began, at send and at reply. */
  sentAt: number;
  doneAt: number;
  /** HTTP status, or 0 when no response came (connection refused, reset or timed out). */
  status: number;
  error?: string;
}

interface Sent {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

async function send(url: string, method: string, json?: unknown): Promise<Sent> {
  const response = await fetch(url, {
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
}

/** What is wrong with a 503 from the API, if anything: it must be a problem+json answer a client can act on. */
function unavailableProblemDefects(reply: Sent): string[] {
  const defects: string[] = [];
  if (reply.headers.get('retry-after') === null) defects.push('no Retry-After');
  if (!reply.headers.get('content-type')?.startsWith('application/problem+json')) {
    defects.push(`content-type ${reply.headers.get('content-type')}`);
  }
  if (reply.body?.code !== 'DATABASE_UNAVAILABLE') defects.push(`code ${String(reply.body?.code)}`);
  if (!reply.body?.request_id || reply.body.request_id !== reply.headers.get('x-request-id')) {
    defects.push('request_id missing or not the X-Request-ID');
  }
  return defects;
}

/** Records every request of a scenario: status, timing, and anything wrong with its answer. */
class Recorder {
  readonly outcomes: Outcome[] = [];
  readonly defects: string[] = [];
  private readonly began = Date.now();
  private usernames = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly label: string,
  ) {}

  now(): number {
    return Date.now() - this.began;
  }

  async request(kind: 'get' | 'post' | 'probe', path: string, json?: unknown): Promise<Outcome & { reply?: Sent }> {
    const sentAt = this.now();
    let outcome: Outcome & { reply?: Sent };
    try {
      const reply = await send(this.baseUrl + path, kind === 'post' ? 'POST' : 'GET', json);
      outcome = { kind, sentAt, doneAt: this.now(), status: reply.status, reply };
      if (kind !== 'probe' && reply.status === 503) {
        for (const defect of unavailableProblemDefects(reply)) this.defects.push(`${kind} ${path}: ${defect}`);
      }
    } catch (error) {
      outcome = { kind, sentAt, doneAt: this.now(), status: 0, error: String(error) };
    }
    this.outcomes.push({ kind, sentAt, doneAt: outcome.doneAt, status: outcome.status, error: outcome.error });
    return outcome;
  }

  getUser(id: string) {
    return this.request('get', `/api/v1/users/id/${id}`);
  }

  createUser() {
    const username = `${this.label}${process.pid}n${++this.usernames}`;
    return this.request('post', '/api/v1/users', {
      username,
      email: `${username}@example.com`,
      full_name: 'Fault Test',
    });
  }

  /** Polls /ready every 100 ms until it answers `status`; resolves with the time it did, or undefined. */
  async waitForReady(status: number, withinMs: number): Promise<number | undefined> {
    const deadline = this.now() + withinMs + 1000;
    while (this.now() < deadline) {
      const outcome = await this.request('probe', '/ready');
      if (outcome.status === status) return outcome.doneAt;
      await sleep(100);
    }
    return undefined;
  }

  /** "sent N: get 200×n, ..." so a reader of the test output sees what was tried. */
  summary(): string {
    const counts = new Map<string, number>();
    for (const { kind, status } of this.outcomes) {
      const key = `${kind} ${status || 'no-response'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const parts = [...counts.entries()].sort().map(([key, count]) => `${key}×${count}`);
    return `sent ${this.outcomes.length}: ${parts.join(', ')}`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A few clients looping GET by id and POST until stopped; a short pause keeps the CPU use modest. */
function startLoad(recorder: Recorder, userId: string) {
  let stopped = false;
  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    for (let i = 0; !stopped; i++) {
      if ((i + client) % 2 === 0) await recorder.getUser(userId);
      else await recorder.createUser();
      await sleep(10);
    }
  });
  return async () => {
    stopped = true;
    await Promise.all(clients);
  };
}

/** The URL of `url` with its host and port replaced by the proxy's. */
function throughProxy(url: string, proxy: TcpProxy): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}

function upstreamOf(url: string) {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 5432) };
}

const serviceEnv = (url: string) => ({
  DATABASE_URL: url,
  DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
});

/** The distinct causes the service logged for its 503s, e.g. "DATABASE_UNAVAILABLE: Connection terminated". */
function loggedCauses(service: Service): string[] {
  const causes = service.logs
    .filter((line) => line.httpRequest?.status === 503 && typeof line.error === 'string')
    .map((line) => String(line.error))
    .filter((cause) => cause.startsWith('DATABASE_UNAVAILABLE'));
  return [...new Set(causes)];
}

/** Rejections nobody handled: each would be a request left hanging or a crash under --unhandled-rejections. */
const unhandledRejections = (service: Service) =>
  service.logs.filter((line) => line.message === 'unhandled promise rejection');

describePostgres(`database faults through a TCP proxy${adminUrl ? '' : ' (skipped: DATABASE_URL is unset)'}`, () => {
  let db: ServiceDatabase;
  let proxy: TcpProxy;
  let service: Service | undefined;

  beforeEach(async () => {
    db = await createServiceDatabase('postgres');
    proxy = await startTcpProxy(upstreamOf(db.url as string));
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await proxy?.close();
    await db?.drop();
  });

  it.each<CutMode>(['reset', 'blackhole'])(
    'answers fast 503s while the database is cut (%s) under load, and recovers without a restart',
    async (mode) => {
      service = await startService({ env: serviceEnv(throughProxy(db.url as string, proxy)) });
      const recorder = new Recorder(service.url, mode);
      const seeded = await recorder.createUser();
      expect(seeded.status).toBe(201);
      const userId = String(seeded.reply?.body?.id);

      const stopLoad = startLoad(recorder, userId);
      await sleep(1000);

      const cutAt = recorder.now();
      await proxy.cut(mode);
      const readyDownAt = await recorder.waitForReady(503, READY_DOWN_WITHIN_MS);
      await sleep(CUT_HOLD_MS - (recorder.now() - cutAt));

      const restoredAt = recorder.now();
      await proxy.restore();
      const readyUpAt = await recorder.waitForReady(200, RECOVER_WITHIN_MS);
      await sleep(1500);
      await stopLoad();

      const api = recorder.outcomes.filter((o) => o.kind !== 'probe');
      const failures = api.filter((o) => o.status !== 200 && o.status !== 201);
      const duringCut = api.filter((o) => o.sentAt >= cutAt && o.sentAt < restoredAt);
      const afterRecovery = api.filter((o) => readyUpAt !== undefined && o.sentAt >= readyUpAt);
      const maxFailureMs = Math.max(0, ...failures.map((o) => o.doneAt - o.sentAt));
      // Every request in flight at any moment of the cut, including those sent just before it.
      const overlappingCut = api.filter((o) => o.doneAt >= cutAt && o.sentAt < restoredAt);
      const maxCutMs = Math.max(0, ...overlappingCut.map((o) => o.doneAt - o.sentAt));
      console.log(
        [
          `database cut (${mode}): ${recorder.summary()}`,
          `  /ready 503 ${readyDownAt === undefined ? 'never' : `${readyDownAt - cutAt} ms`} after the cut;` +
            ` /ready 200 ${readyUpAt === undefined ? 'never' : `${readyUpAt - restoredAt} ms`} after the restore`,
          `  slowest failed request ${maxFailureMs} ms, slowest request in flight during the cut ${maxCutMs} ms` +
            ` (bound ${FAILURE_BOUND_MS} ms); ${afterRecovery.length} requests after recovery`,
          `  causes logged for the 503s: ${loggedCauses(service).join(' | ')}`,
        ].join('\n'),
      );

      expect(recorder.defects).toEqual([]);
      expect(recorder.outcomes.filter((o) => o.status === 0 || (o.status >= 500 && o.status !== 503))).toEqual([]);
      // The cut was felt: both kinds of request were refused with 503 while it lasted.
      expect(duringCut.filter((o) => o.kind === 'get' && o.status === 503).length).toBeGreaterThan(0);
      expect(duringCut.filter((o) => o.kind === 'post' && o.status === 503).length).toBeGreaterThan(0);
      expect(failures.every((o) => o.status === 503)).toBe(true);
      expect(readyDownAt).toBeDefined();
      expect((readyDownAt as number) - cutAt).toBeLessThanOrEqual(READY_DOWN_WITHIN_MS);
      expect(maxFailureMs).toBeLessThanOrEqual(FAILURE_BOUND_MS);
      expect(maxCutMs).toBeLessThanOrEqual(FAILURE_BOUND_MS);
      // Recovered in place: same process, ready again, and every request after that succeeded.
      expect(readyUpAt).toBeDefined();
      expect((readyUpAt as number) - restoredAt).toBeLessThanOrEqual(RECOVER_WITHIN_MS);
      expect(afterRecovery.filter((o) => o.kind === 'get').length).toBeGreaterThan(0);
      expect(afterRecovery.filter((o) => o.kind === 'post').length).toBeGreaterThan(0);
      expect(afterRecovery.filter((o) => o.status !== 200 && o.status !== 201)).toEqual([]);
      expect(service.process.exitCode).toBeNull();
      expect(unhandledRejections(service)).toEqual([]);
    },
  );

  it('starts while the database is down, answers 503 meanwhile, and serves once it appears', async () => {
    await proxy.cut('reset'); // the port refuses connections, as a database host that is not up yet
    service = await startService({ env: serviceEnv(throughProxy(db.url as string, proxy)) });
    expect(service.logs.some((line) => line.message === 'usersvc listening')).toBe(true);
    const recorder = new Recorder(service.url, 'startup');

    const ready = await recorder.request('probe', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.reply?.body).toMatchObject({ status: 'not_ready', checks: { database: 'unreachable' } });
    const get = await recorder.getUser('01234567-89ab-7def-8123-456789abcdef');
    expect(get.status).toBe(503);
    expect(get.reply?.headers.get('retry-after')).toBe('2');
    expect((await recorder.createUser()).status).toBe(503);
    expect((await recorder.request('probe', '/health')).status).toBe(200);

    const restoredAt = recorder.now();
    await proxy.restore();
    const readyUpAt = await recorder.waitForReady(200, RECOVER_WITHIN_MS);
    const created = await recorder.createUser();
    const fetched = await recorder.getUser(String(created.reply?.body?.id));
    console.log(
      `database down at start-up: ${recorder.summary()}; /ready 200 ` +
        `${readyUpAt === undefined ? 'never' : `${readyUpAt - restoredAt} ms`} after the restore;` +
        ` causes logged: ${loggedCauses(service).join(' | ')}`,
    );

    expect(recorder.defects).toEqual([]);
    expect(readyUpAt).toBeDefined();
    expect(created.status).toBe(201);
    expect(fetched.status).toBe(200);
    expect(recorder.outcomes.filter((o) => o.status === 0 || o.status === 500)).toEqual([]);
    expect(service.process.exitCode).toBeNull();
    expect(unhandledRejections(service)).toEqual([]);
  });
});
