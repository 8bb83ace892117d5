// Generated bad input to every route: never a 5xx, every 4xx a problem+json carrying the request id, and the
// users table holding exactly the seed rows plus the creates the API acknowledged, minus acknowledged deletes.
import http from 'node:http';
import fc from 'fast-check';
import { backends, createServiceDatabase, type ServiceDatabase } from '../support/database';
import { call } from '../support/http';
import { startService, type Service } from '../support/service';
import { send, type Outcome, type Reply } from './support/raw-http';
import { assertContract, judge, Tally, type Probe, type Verdict } from './support/response-contract';
import { anyUuid, bodyOf, cursorValue, limitValue, nearMiss, USER_FIELDS, userFields } from './support/hostile-values';
import { rawBody } from './support/raw-bodies';
import {
  hostileTarget,
  legalHeaderValue,
  method,
  nodeKnowsMethod,
  REQUEST_ID,
  requestIdValue,
  ROUTE_TEMPLATES,
  targetNodeMayRefuse,
} from './support/hostile-targets';
import { Ledger, listAllUsers } from './support/users-ledger';

const API_KEY = 'reliability-suite-key-0123456789';
const MAX_BODY_BYTES = 64 * 1024;
// FUZZ_SCALE shrinks or grows every property's run count (e.g. 0.2 while developing).
const scale = Number(process.env.FUZZ_SCALE ?? '1');
const runs = (n: number) => Math.max(5, Math.round(n * scale));
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DELETE_PATH = /^\/api\/v1\/users\/id\/([^/?#]+)(?:\?|$)/;

interface FieldErrorBody {
  code?: string;
  errors?: { field: string; message: string }[];
}

const problemOf = (reply: Reply) => JSON.parse(reply.text) as FieldErrorBody;
const fieldsNamed = (reply: Reply) => (problemOf(reply).errors ?? []).map((error) => error.field);

describe.each(backends)('bad input on %s', (backend) => {
  let db: ServiceDatabase;
  let service: Service;
  let ledger: Ledger;
  const tally = new Tally();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  /** Ids a PATCH or DELETE can aim at: the seed rows and every id a create returned (deleted ones too). */
  const knownIds: string[] = [];

  beforeAll(async () => {
    db = await createServiceDatabase(backend);
    service = await startService({
      env: { ...db.env, API_KEY, GOOGLE_CLOUD_PROJECT: 'usersvc-reliability' },
    });
    const seed = await listAllUsers(service.url, { 'x-api-key': API_KEY });
    // PGlite's service seeds the three demo users on start; a fresh PostgreSQL database starts empty.
    expect(seed).toHaveLength(backend === 'embedded' ? 3 : 0);
    ledger = new Ledger(new Set(seed.map((user) => user.id)));
    knownIds.push(...ledger.seed);
  });

  afterAll(async () => {
    process.stdout.write(tally.summary(`bad input on ${backend}`));
    agent.destroy();
    await service?.stop();
    await db?.drop();
  });

  /** Sends a probe (with the API key unless it brings its own headers for it), checks the contract, books rows. */
  async function exchange(probe: Probe, options: { withoutKey?: boolean } = {}): Promise<Outcome & Verdict> {
    const headers = options.withoutKey ? { ...probe.headers } : { 'x-api-key': API_KEY, ...probe.headers };
    const sent: Probe = { ...probe, headers };
    const outcome = await send(service.url, sent, agent);
    tally.record(outcome, judge(sent, outcome));
    const verdict = assertContract(sent, outcome);
    if (outcome.kind === 'reply' && verdict.origin === 'service') book(sent, outcome.reply);
    return { ...outcome, ...verdict };
  }

  function book(probe: Probe, reply: Reply): void {
    if (reply.status === 201) {
      const id = (JSON.parse(reply.text) as { id: string }).id;
      ledger.acknowledgeCreate(id);
      knownIds.push(id);
    }
    const deleted = probe.method === 'DELETE' && reply.status === 204 ? DELETE_PATH.exec(probe.path) : null;
    if (deleted?.[1]) ledger.acknowledgeDelete(decodeURIComponent(deleted[1]));
  }

  const replyOf = (outcome: Outcome): Reply => {
    if (outcome.kind !== 'reply') throw new Error(`no reply: ${outcome.error}`);
    return outcome.reply;
  };
  // A fresh PostgreSQL database has no rows yet: aim at an id no row has until creates succeed.
  const pick = (index: number) => knownIds[index % knownIds.length] ?? '00000000-0000-4000-8000-000000000000';
  const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
  // endOnFailure: shrinking would replay requests against a server whose state has moved on; the failure
  // message already holds the exact request and answer.
  const check = <Values extends unknown[]>(property: fc.IAsyncProperty<Values>, numRuns: number) =>
    fc.assert(property, { numRuns: runs(numRuns), endOnFailure: true });

  it('answers creates and patches with wrong types, hostile strings and unknown keys without a 5xx', async () => {
    const operation = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('create' as const), user: userFields, target: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('patch' as const), user: userFields, target: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), user: userFields, target: fc.nat() }) },
    );
    await check(
      fc.asyncProperty(operation, async ({ kind, user, target }) => {
        if (kind === 'delete') {
          const answer = await exchange({ method: 'DELETE', path: `/api/v1/users/id/${pick(target)}` });
          expect(replyOf(answer).status).toBe(204);
          return;
        }
        const request = json(bodyOf(user));
        const path = kind === 'create' ? '/api/v1/users' : `/api/v1/users/id/${pick(target)}`;
        const reply = replyOf(await exchange({ method: kind === 'create' ? 'POST' : 'PATCH', path, ...request }));

        if (Buffer.byteLength(request.body) > MAX_BODY_BYTES) return void expect(reply.status).toBe(413);
        const kinds = USER_FIELDS.map((name) => user.fields[name].kind);
        const broken = USER_FIELDS.filter(
          (name) =>
            user.fields[name].kind === 'wrong-type' || (kind === 'create' && user.fields[name].kind === 'absent'),
        );
        const extra = user.extra?.[0];
        // The API names an unknown key by itself, and the empty key "body".
        const extraKey =
          extra === undefined || (USER_FIELDS as readonly string[]).includes(extra) ? null : extra || 'body';
        if (broken.length > 0 || extraKey !== null) {
          expect(reply.status).toBe(400);
          expect(fieldsNamed(reply)).toEqual(
            expect.arrayContaining([...broken, ...(extraKey === null ? [] : [extraKey])]),
          );
        } else if (kinds.every((k) => k === 'valid') && user.extra === null) {
          expect(kind === 'create' ? [201, 409] : [200, 404, 409]).toContain(reply.status);
        }
      }),
      700,
    );
  });

  it('refuses valid-looking creates and patches that break one field rule with 400 naming that field', async () => {
    const validName = fc.stringMatching(/^nm[a-z0-9]{6,20}$/);
    await check(
      fc.asyncProperty(nearMiss, validName, fc.boolean(), anyUuid, async (miss, name, asPatch, id) => {
        const user = { username: name, email: `${name}@example.com`, full_name: 'Near Miss' };
        const body = asPatch ? { [miss.field]: miss.value } : { ...user, [miss.field]: miss.value };
        const path = asPatch ? `/api/v1/users/id/${id}` : '/api/v1/users';
        const reply = replyOf(await exchange({ method: asPatch ? 'PATCH' : 'POST', path, ...json(body) }));
        expect(reply.status).toBe(400);
        expect(problemOf(reply).code).toBe('VALIDATION_FAILED');
        expect(new Set(fieldsNamed(reply))).toEqual(new Set([miss.field]));
      }),
      400,
    );
  });

  it('answers malformed, deep, duplicate-key and wrongly typed bodies with 400 or 415, never a 5xx', async () => {
    await check(
      fc.asyncProperty(rawBody, fc.boolean(), anyUuid, async (raw, asPatch, id) => {
        const headers: Record<string, string> =
          raw.contentType === undefined ? {} : { 'content-type': raw.contentType };
        const path = asPatch ? `/api/v1/users/id/${id}` : '/api/v1/users';
        const reply = replyOf(await exchange({ method: asPatch ? 'PATCH' : 'POST', path, headers, body: raw.body }));
        const code = reply.status >= 400 ? problemOf(reply).code : undefined;
        if (raw.expect === 'unsupported-media-type') expect(reply.status).toBe(415);
        if (raw.expect === 'malformed-json') expect([reply.status, code]).toEqual([400, 'MALFORMED_JSON']);
        if (raw.expect === 'parsed') {
          expect(reply.status).not.toBe(415);
          expect(code).not.toBe('MALFORMED_JSON');
        }
        // Duplicate keys: JSON.parse keeps the last, and the row must say what the validator saw.
        if (raw.lastUsername !== undefined && reply.status === 201) {
          expect((JSON.parse(reply.text) as { username: string }).username).toBe(raw.lastUsername);
        }
      }),
      500,
    );
  });

  it('refuses bodies over 64 KiB with 413 on every method, chunked or with a declared Content-Length, unread', async () => {
    const framing = fc.constantFrom('chunked', 'declared', 'declared-huge-short');
    const oversized = fc.record({
      size: fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }),
      framing,
      target: fc.constantFrom(
        'POST /api/v1/users',
        'PATCH /api/v1/users/id/',
        'GET /api/v1/users',
        'DELETE /api/v1/users/id/',
      ),
      id: anyUuid,
    });
    await check(
      fc.asyncProperty(oversized, async ({ size, framing, target, id }) => {
        const [verb, route] = target.split(' ') as [string, string];
        const path = route.endsWith('/') ? `${route}${id}` : route;
        const body = Buffer.from(`{"username":"${'x'.repeat(size - 15)}"}`);
        expect(body).toHaveLength(size);
        const probe: Probe = {
          method: verb,
          path,
          headers: { 'content-type': 'application/json' },
          body: framing === 'declared-huge-short' ? body.subarray(0, 1024) : body,
          chunked: framing === 'chunked',
          declaredLength: framing === 'declared-huge-short' ? 50 * 1024 * 1024 : undefined,
        };
        const reply = replyOf(await exchange(probe));
        // Refused before any handler, whatever the method: a DELETE declaring 1 GB must not run (issue 9).
        expect(reply.status).toBe(413);
        expect(reply.headers.connection).toBe('close');
      }),
      30,
    );
  });

  it.each([
    ['chunked', true],
    ['Content-Length', false],
  ])('takes a body of exactly 64 KiB and refuses one byte more (%s)', async (_framing, chunked) => {
    const atLimit = (bytes: number) => Buffer.from(`{"x":"${' '.repeat(bytes - 8)}"}`);
    const headers = { 'content-type': 'application/json' };
    const fits = replyOf(
      await exchange({ method: 'POST', path: '/api/v1/users', headers, body: atLimit(MAX_BODY_BYTES), chunked }),
    );
    const over = replyOf(
      await exchange({ method: 'POST', path: '/api/v1/users', headers, body: atLimit(MAX_BODY_BYTES + 1), chunked }),
    );
    expect(atLimit(MAX_BODY_BYTES)).toHaveLength(MAX_BODY_BYTES);
    expect([fits.status, problemOf(fits).code]).toEqual([400, 'VALIDATION_FAILED']); // parsed: "x" is no field
    expect(over.status).toBe(413);
  });

  it('answers hostile paths, query strings and odd methods on every route without a 5xx', async () => {
    await check(
      fc.asyncProperty(method, hostileTarget, fc.option(fc.nat()), async (verb, target, createIndex) => {
        // POST and PATCH sometimes carry a valid create, so that a path that wrongly reaches a handler shows.
        const name = `path${createIndex ?? 0}x${knownIds.length}`;
        const withBody = (verb === 'POST' || verb === 'PATCH') && createIndex !== null;
        await exchange({
          method: verb,
          path: target,
          nodeMayRefuse: !nodeKnowsMethod(verb) || targetNodeMayRefuse(target),
          ...(withBody ? json({ username: name, email: `${name}@example.com`, full_name: 'Path Probe' }) : {}),
        });
      }),
      700,
    );
  });

  it('answers hostile limit and cursor values on the listing with 200 or a 400 naming the query field', async () => {
    const query = fc.record({ limit: fc.option(limitValue), cursor: fc.option(cursorValue) });
    await check(
      fc.asyncProperty(query, async ({ limit, cursor }) => {
        const params = new URLSearchParams();
        if (limit !== null) params.set('limit', limit.replace(/[\ud800-\udfff]/g, '').slice(0, 1000));
        if (cursor !== null) params.set('cursor', cursor.replace(/[\ud800-\udfff]/g, '').slice(0, 1000));
        const reply = replyOf(await exchange({ method: 'GET', path: `/api/v1/users?${params.toString()}` }));
        expect([200, 400]).toContain(reply.status);
        if (reply.status === 400) {
          expect(fieldsNamed(reply).every((field) => field === 'query.limit' || field === 'query.cursor')).toBe(true);
        }
      }),
      300,
    );
  });

  it('answers odd-but-legal and overlong headers, echoing only a sane X-Request-ID', async () => {
    const headerSet = fc.record({
      requestId: fc.option(requestIdValue, { freq: 4 }),
      keyChoice: fc.constantFrom('right', 'missing', 'wrong', 'padded', 'latin1'),
      extra: fc.dictionary(
        fc.constantFrom(
          'user-agent',
          'traceparent',
          'x-cloud-trace-context',
          'x-forwarded-for',
          'accept',
          'cookie',
          'x-odd',
        ),
        legalHeaderValue,
        { maxKeys: 4 },
      ),
      // Rarely: an Expect other than 100-continue (Node answers 417 itself) or an odd Host (its parser may refuse it).
      nodeLevel: fc.oneof(
        { weight: 8, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: legalHeaderValue.map((value) => ({ expect: value })) },
        { weight: 1, arbitrary: legalHeaderValue.map((value) => ({ host: value })) },
      ),
      // One request in four pads its headers towards (or past) Node's 16 KiB limit.
      padding: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 1000, max: 17_000 }) },
      ),
      template: fc.constantFrom(...ROUTE_TEMPLATES),
      id: anyUuid,
    });
    await check(
      fc.asyncProperty(headerSet, async ({ requestId, keyChoice, extra, nodeLevel, padding, template, id }) => {
        const headers: Record<string, string> = { ...extra, ...nodeLevel };
        if (requestId !== null) headers['x-request-id'] = requestId;
        if (padding !== null) headers['x-padding'] = 'p'.repeat(padding);
        const keys = {
          right: API_KEY,
          wrong: 'not-the-key-0123456789',
          padded: ` ${API_KEY} `,
          latin1: `${API_KEY}\u00e9`,
        };
        if (keyChoice !== 'missing') headers['x-api-key'] = keys[keyChoice];
        const path = template.replace(':id', id).replace(':username', 'jdoe');
        const answer = await exchange(
          {
            method: 'GET',
            path,
            headers,
            nodeMayRefuse: (padding !== null && padding > 15_000) || Object.keys(nodeLevel).length > 0,
          },
          { withoutKey: true },
        );
        if (answer.kind !== 'reply' || answer.origin !== 'service') return;
        const echoed = answer.reply.headers['x-request-id'];
        // Refused by Node's parser (shared/http/client-errors.ts): no request existed, so a new id and no key check.
        if (/"code":"(MALFORMED_REQUEST|HEADERS_TOO_LARGE)"/.test(answer.reply.text)) {
          expect(echoed).toMatch(UUID_V4);
          return;
        }
        // Node trims a header value's surrounding whitespace before our code sees it.
        const received = requestId?.trim();
        if (received !== undefined && REQUEST_ID.test(received)) expect(echoed).toBe(received);
        else expect(echoed).toMatch(UUID_V4);
        const isPublic = ['/health', '/ready', '/openapi.json'].includes(template);
        if (!isPublic && keyChoice === 'missing') expect(answer.reply.status).toBe(401);
        if (!isPublic && (keyChoice === 'wrong' || keyChoice === 'latin1')) expect(answer.reply.status).toBe(403);
      }),
      400,
    );
  });

  it('answers a path with invalid percent-encoding with a problem+json 400 naming the parameter', async () => {
    const outcome = await exchange({ method: 'GET', path: '/api/v1/users/id/%E0%A4%A' });
    expect(replyOf(outcome).status).toBe(400);
    expect(fieldsNamed(replyOf(outcome))).toEqual(['path.id']);
  });

  // Functions Framework answers these itself when its app serves; shared/http/server.ts routes them to us.
  it('answers /favicon.ico and /robots.txt with a problem+json 404', async () => {
    for (const path of ['/favicon.ico', '/robots.txt']) {
      const outcome = await send(service.url, { method: 'GET', path, headers: { 'x-api-key': API_KEY } }, agent);
      expect(replyOf(outcome).headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers OPTIONS * with problem+json', async () => {
    const outcome = await send(service.url, { method: 'OPTIONS', path: '*', headers: { 'x-api-key': API_KEY } }, agent);
    expect(replyOf(outcome).headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('keeps exactly the seed rows and the acknowledged creates, minus acknowledged deletes', async () => {
    const rows = await listAllUsers(service.url, { 'x-api-key': API_KEY });
    const tableIds =
      backend === 'postgres'
        ? (await db.query<{ id: string }>('SELECT id::text AS id FROM users')).map((r) => r.id)
        : rows.map((r) => r.id);
    expect(ledger.discrepancies(tableIds)).toEqual([]);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(tableIds)); // the listing shows every row once
    expect(rows).toHaveLength(tableIds.length);
    expect(ledger.created.size).toBeGreaterThan(0); // the generators did get creates through
    expect(service.process.exitCode).toBeNull();
    expect(service.logs.filter((line) => line.severity === 'ERROR' || line.severity === 'CRITICAL')).toEqual([]);
    const deletedRows = [...ledger.deleted].filter((id) => ledger.created.has(id) || ledger.seed.has(id)).length;
    process.stdout.write(
      `bad input on ${backend}: ${ledger.seed.size} seed rows, ${ledger.created.size} creates and ${deletedRows} ` +
        `deletes of them acknowledged; ${tableIds.length} rows in the table\n`,
    );
  });

  it('keeps the metrics route label to the route templates and nothing in flight after the hostile requests', async () => {
    const metrics = await call(service.url, 'GET', '/metrics', { headers: { 'x-api-key': API_KEY } });
    expect(metrics.status).toBe(200);
    const labels = new Set([...metrics.text.matchAll(/route="([^"]*)"/g)].map((match) => match[1]));
    expect(
      [...labels].filter((label) => !([...ROUTE_TEMPLATES, 'unmatched'] as string[]).includes(label as string)),
    ).toEqual([]);
    expect(labels.has('unmatched')).toBe(true); // the hostile paths were counted, under one label
    expect(metrics.text).toMatch(/^http_requests_in_flight 1$/m); // only this scrape
  });
});
