// Bearer tokens minted by jose in the test, each case through a real HTTP server against an issuer that serves its
// discovery document and JWKS over HTTP: every bad token is a 401 with its WWW-Authenticate, never a 5xx.
import { exportSPKI, importJWK, SignJWT, type CryptoKey } from 'jose';
import { makeSigningKey, startTokenIssuer, TEST_AUDIENCE, type TokenIssuer } from '../../scripts/token-issuer';
import { startApp, type TestApp } from '../support/app';
import { call, type Reply } from '../support/http';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const CHALLENGE = 'Bearer realm="usersvc"';
const invalidToken = (reply: Reply) => reply.headers.get('www-authenticate') ?? '';

describe('bearer tokens (jose-minted, issuer discovered over HTTP)', () => {
  let issuer: TokenIssuer;
  let service: TestApp;
  const get = (token: string | undefined, path = '/api/v1/users') =>
    call(service.url, 'GET', path, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    issuer = await startTokenIssuer('ES256');
    service = await startApp({ env: { AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: TEST_AUDIENCE } });
  });
  afterAll(async () => {
    await service?.close();
    await issuer?.close();
  });

  it('accepts a valid token and logs its subject as the principal, never the token', async () => {
    const token = await issuer.mint({ sub: 'reporting-job' });
    const reply = await get(token);
    expect(reply.status).toBe(200);
    const line = await service.waitFor((entry) => entry.request_id === reply.headers.get('x-request-id'));
    expect(line).toMatchObject({ principal: 'bearer:reporting-job', route: '/api/v1/users' });
    expect(service.output()).not.toContain(token);
    expect(service.output()).not.toContain(token.split('.')[2]);
  });

  it('answers a request without credentials 401 AUTHENTICATION_REQUIRED with a bare Bearer challenge', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Digest username="x"']) {
      const reply = await call(service.url, 'GET', '/api/v1/users', {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect([authorization, reply.status, reply.body.code]).toEqual([authorization, 401, 'AUTHENTICATION_REQUIRED']);
      expect(reply.headers.get('www-authenticate')).toBe(CHALLENGE);
      expect(reply.body.request_id).toBe(reply.headers.get('x-request-id'));
    }
  });

  // Each case: how the token is made, and the words its 401 must use.
  const refusals: [string, (issuer: TokenIssuer) => Promise<string> | string, string][] = [
    ['expired beyond the clock skew', (i) => i.mint({}, { expiresIn: -120 }), 'has expired'],
    ['not yet valid', (i) => i.mint({ nbf: Math.floor(Date.now() / 1000) + 600 }), 'is not valid yet'],
    ['from another issuer', (i) => i.mint({ iss: 'https://evil.example.com' }), 'was issued by another issuer'],
    ['for another audience', (i) => i.mint({ aud: 'https://other-service.example.com' }), 'is for another audience'],
    ['without sub', (i) => i.mint({ sub: undefined }), 'has no "sub" claim'],
    ['without exp', (i) => i.mint({ exp: undefined }), 'has no "exp" claim'],
    ['with a sub that is not a string', (i) => i.mint({ sub: 42 as unknown as string }), 'has an invalid "sub" claim'],
    [
      'alg none (unsigned)',
      (i) => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ iss: i.issuer, aud: TEST_AUDIENCE, sub: 'x' })}.`,
      'is signed with an algorithm this service does not accept',
    ],
    [
      'HS256 with the public key as the secret',
      async (i) => {
        const key = i.keys[0]!;
        const publicKey = (await importJWK(key.publicJwk, key.alg, { extractable: true })) as CryptoKey;
        const secret = new TextEncoder().encode(await exportSPKI(publicKey));
        return new SignJWT({ iss: i.issuer, aud: TEST_AUDIENCE, sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })
          .setProtectedHeader({ alg: 'HS256', kid: key.kid })
          .sign(secret);
      },
      'is signed with an algorithm this service does not accept',
    ],
    [
      'a tampered payload',
      async (i) => {
        const [header, , signature] = (await i.mint()).split('.');
        return `${header}.${base64url({ iss: i.issuer, aud: TEST_AUDIENCE, sub: 'admin', exp: 9e9 })}.${signature}`;
      },
      'has a signature that does not verify',
    ],
    ['garbage in three parts', () => 'abc.def.ghi', 'is not a valid JWT'],
    ['not a JWT at all', () => 'opaque-token-value', 'is not a valid JWT'],
    ['over 8 KiB', () => 'a'.repeat(9000), 'is longer than 8192 characters'],
  ];

  it.each(refusals)('refuses a token %s with 401 TOKEN_INVALID', async (_case, make, words) => {
    const reply = await get(await make(issuer));
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ code: 'TOKEN_INVALID', detail: `The token ${words}.` });
    expect(invalidToken(reply)).toBe(`${CHALLENGE}, error="invalid_token", error_description="The token ${words}"`);
  });

  it('refuses a malformed Authorization header with 401 invalid_token', async () => {
    for (const authorization of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer "quoted"', 'bearer tok,en']) {
      const reply = await call(service.url, 'GET', '/api/v1/users', { headers: { authorization } });
      expect([authorization, reply.status, reply.body.code]).toEqual([authorization, 401, 'TOKEN_INVALID']);
      expect(invalidToken(reply)).toContain('error="invalid_token"');
    }
  });

  it('accepts a token within the clock skew, and the scheme in any case', async () => {
    expect((await get(await issuer.mint({}, { expiresIn: -10 }))).status).toBe(200);
    const token = await issuer.mint();
    const reply = await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `BEARER ${token}` } });
    expect(reply.status).toBe(200);
  });

  it('stops accepting a remembered token once it expires (past the clock skew)', async () => {
    // exp 26 s ago: valid for 4 s more within the 30 s skew, then expired, though it verified once.
    const token = await issuer.mint({}, { expiresIn: -26 });
    expect((await get(token)).status).toBe(200);
    expect((await get(token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const later = await get(token);
    expect([later.status, later.body.detail]).toEqual([401, 'The token has expired.']);
  });

  it('answers a token over the header limit with 431, not a 5xx', async () => {
    const reply = await get('a'.repeat(20_000));
    expect(reply.status).toBe(431);
  });

  it('fetches the key set again for an unknown kid, at most once per cooldown, then 401s', async () => {
    const stranger = await makeSigningKey('ES256');
    const before = issuer.jwksFetches;
    const first = await get(await issuer.mint({}, { key: stranger }));
    expect(first.body).toMatchObject({
      code: 'TOKEN_INVALID',
      detail: 'The token is signed with a key its issuer does not publish.',
    });
    const second = await get(await issuer.mint({}, { key: { ...stranger, kid: 'made-up' } }));
    expect(second.status).toBe(401);
    // The first unknown kid may refetch (unless the last fetch was within the cooldown); the second cannot.
    expect(issuer.jwksFetches - before).toBeLessThanOrEqual(1);
  });

  it('gives a token without the route’s scope 403 insufficient_scope naming it', async () => {
    const reader = await issuer.mint({ scope: 'users:read' });
    expect((await get(reader)).status).toBe(200);
    const create = await call(service.url, 'POST', '/api/v1/users', {
      headers: { authorization: `Bearer ${reader}` },
      json: { username: 'no_scope_user', email: 'no-scope@example.com', full_name: 'No Scope' },
    });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe('INSUFFICIENT_SCOPE');
    expect(create.headers.get('www-authenticate')).toBe(
      `${CHALLENGE}, error="insufficient_scope", scope="users:write"`,
    );
    const metrics = await get(reader, '/metrics');
    expect([metrics.status, metrics.headers.get('www-authenticate')]).toEqual([
      403,
      `${CHALLENGE}, error="insufficient_scope", scope="metrics:read"`,
    ]);
    expect((await get(await issuer.mint({ scope: 'users:write' }))).status).toBe(403);
  });

  it('reads scopes from scp as an array too, and ignores scopes it does not know', async () => {
    const scraper = await issuer.mint({ scope: undefined, scp: ['metrics:read', 'admin'] });
    expect((await get(scraper, '/metrics')).status).toBe(200);
    expect((await get(scraper)).status).toBe(403);
    expect((await get(await issuer.mint({ scope: 'admin users:readx' }))).status).toBe(403);
  });

  it('keeps probes and the document open without a token', async () => {
    for (const path of ['/health', '/ready', '/openapi.json']) {
      expect((await call(service.url, 'GET', path)).status).toBe(200);
    }
  });

  it('scopes idempotency keys per subject: the same key from two callers is two writes', async () => {
    const key = `shared-key-${Date.now()}`;
    const run = Date.now();
    const create = async (sub: string) =>
      call(service.url, 'POST', '/api/v1/users', {
        headers: { authorization: `Bearer ${await issuer.mint({ sub })}`, 'idempotency-key': key },
        json: { username: `idem${sub}${run}`, email: `idem-${sub}-${run}@example.com`, full_name: sub },
      });
    // Under one shared scope Bob's request would be 422 (the key used for another body).
    const [alice, bob] = [await create('alice'), await create('bob')];
    expect([alice.status, bob.status]).toEqual([201, 201]);
    expect(alice.body.id).not.toBe(bob.body.id);
    // Alice's retry with her key replays her first answer.
    const again = await create('alice');
    expect([again.status, again.headers.get('idempotent-replayed'), again.body.id]).toEqual([
      201,
      'true',
      alice.body.id,
    ]);
  });

  it('never answers a 5xx to any of the cases above', () => {
    const statuses = service.logs.flatMap((entry) => {
      const http = entry.httpRequest as { status?: number } | undefined;
      return http?.status === undefined ? [] : [http.status];
    });
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
  });
});

describe('bearer tokens when the identity provider is unreachable', () => {
  it('answers 503 with Retry-After until it is back; keys already held keep working while it is down', async () => {
    const issuer = await startTokenIssuer('ES256');
    const token = await issuer.mint();
    await issuer.stop();
    const service = await startApp({ env: { AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: TEST_AUDIENCE } });
    try {
      const down = await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `Bearer ${token}` } });
      expect(down.status).toBe(503);
      expect(down.body.code).toBe('IDENTITY_PROVIDER_UNAVAILABLE');
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await call(service.url, 'GET', '/ready')).status).toBe(200); // not a reason to leave the load balancer

      await issuer.start();
      let status = 0;
      for (let tries = 0; tries < 100 && status !== 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = (await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `Bearer ${token}` } }))
          .status;
        expect([200, 503]).toContain(status);
      }
      expect(status).toBe(200);

      await issuer.stop();
      const held = await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `Bearer ${token}` } });
      expect(held.status).toBe(200);
    } finally {
      await service.close();
      await issuer.close();
    }
  });
});

describe('the caller in a 5xx event', () => {
  it('names the principal beside the error', async () => {
    const issuer = await startTokenIssuer('ES256');
    // Port 1 on loopback refuses at once: every query fails to connect.
    const service = await startApp({
      env: {
        AUTH_ISSUER: issuer.issuer,
        AUTH_AUDIENCE: TEST_AUDIENCE,
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      },
    });
    try {
      const token = await issuer.mint({ sub: 'batch-importer' });
      const reply = await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `Bearer ${token}` } });
      expect([reply.status, reply.body.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
      const line = await service.waitFor((entry) => entry.request_id === reply.headers.get('x-request-id'));
      expect(line).toMatchObject({ severity: 'ERROR', principal: 'bearer:batch-importer' });
      expect(line.error).toContain('DATABASE_UNAVAILABLE');
    } finally {
      await service.close();
      await issuer.close();
    }
  });
});

describe('Google ID tokens between services (no scopes in the token: AUTH_GRANTS)', () => {
  let issuer: TokenIssuer;
  let service: TestApp;
  const GOOGLE = 'https://accounts.google.com';
  const caller = 'orders@project.iam.gserviceaccount.com';

  beforeAll(async () => {
    issuer = await startTokenIssuer('RS256');
    service = await startApp({
      env: {
        AUTH_ISSUER: GOOGLE,
        AUTH_AUDIENCE: 'https://usersvc.example.run.app',
        // Google's keys, as https://www.googleapis.com/oauth2/v3/certs serves them, here from the test's issuer.
        AUTH_JWKS_URL: issuer.jwksUrl,
        AUTH_GRANTS: JSON.stringify({ [caller]: ['users:read'] }),
      },
    });
  });
  afterAll(async () => {
    await service?.close();
    await issuer?.close();
  });

  const idToken = (claims: object) =>
    issuer.mint({
      iss: GOOGLE,
      aud: 'https://usersvc.example.run.app',
      sub: '1122334455',
      scope: undefined,
      ...claims,
    });

  it('grants a verified service account its scopes and logs its email', async () => {
    const token = await idToken({ email: caller, email_verified: true });
    const reply = await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `Bearer ${token}` } });
    expect(reply.status).toBe(200);
    const line = await service.waitFor((entry) => entry.request_id === reply.headers.get('x-request-id'));
    expect(line).toMatchObject({ principal: 'bearer:1122334455', principal_email: caller });
    const write = await call(service.url, 'DELETE', '/api/v1/users/id/00000000-0000-4000-8000-000000000000', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect([write.status, write.body.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
  });

  it('grants nothing to an unverified email or another Google account', async () => {
    for (const claims of [
      { email: caller, email_verified: false },
      { email: 'someone@gmail.com', email_verified: true },
    ]) {
      const token = await idToken(claims);
      const reply = await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `Bearer ${token}` } });
      expect(reply.status).toBe(403);
    }
  });
});

describe('bearer tokens beside API keys', () => {
  let issuer: TokenIssuer;
  let service: TestApp;
  const FULL = 'full-access-key-0123456789';
  const READER = 'reader-key-0123456789abcdef';
  const SCRAPER = 'scraper-key-0123456789abcdef';

  beforeAll(async () => {
    issuer = await startTokenIssuer('ES256');
    service = await startApp({
      env: {
        AUTH_ISSUER: issuer.issuer,
        AUTH_AUDIENCE: TEST_AUDIENCE,
        API_KEY: FULL,
        API_KEYS: JSON.stringify([
          { name: 'reporting', key: READER, scopes: ['users:read'] },
          { name: 'prometheus', key: SCRAPER, scopes: ['metrics:read'] },
        ]),
      },
    });
  });
  afterAll(async () => {
    await service?.close();
    await issuer?.close();
  });

  it('takes either credential alone', async () => {
    const token = await issuer.mint();
    expect((await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-api-key': FULL } })).status).toBe(200);
    expect(
      (await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
  });

  it('refuses a request with both with 400 CREDENTIALS_CONFLICT, whichever is valid', async () => {
    const token = await issuer.mint();
    for (const key of [FULL, 'wrong-key-0123456789abcdef']) {
      const reply = await call(service.url, 'GET', '/api/v1/users', {
        headers: { authorization: `Bearer ${token}`, 'x-api-key': key },
      });
      expect([reply.status, reply.body.code]).toEqual([400, 'CREDENTIALS_CONFLICT']);
    }
  });

  it('asks for a token or a key when neither is sent', async () => {
    const reply = await call(service.url, 'GET', '/api/v1/users');
    expect([reply.status, reply.body.code]).toEqual([401, 'AUTHENTICATION_REQUIRED']);
    expect(reply.body.detail).toContain('X-API-Key');
  });

  it('gives a named key only its scopes, and logs its name', async () => {
    const read = await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-api-key': READER } });
    expect(read.status).toBe(200);
    const line = await service.waitFor((entry) => entry.request_id === read.headers.get('x-request-id'));
    expect(line).toMatchObject({ principal: 'api-key:reporting' });
    const write = await call(service.url, 'POST', '/api/v1/users', {
      headers: { 'x-api-key': READER },
      json: { username: 'reader_write', email: 'reader-write@example.com', full_name: 'R' },
    });
    expect([write.status, write.body.code, write.headers.get('www-authenticate')]).toEqual([
      403,
      'INSUFFICIENT_SCOPE',
      null,
    ]);
  });

  it('lets Prometheus scrape /metrics with Authorization: ApiKey and a metrics:read key', async () => {
    const scrape = await call(service.url, 'GET', '/metrics', { headers: { authorization: `ApiKey ${SCRAPER}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('http_requests_total');
    const users = await call(service.url, 'GET', '/api/v1/users', { headers: { authorization: `ApiKey ${SCRAPER}` } });
    expect(users.status).toBe(403);
    const wrong = await call(service.url, 'GET', '/metrics', {
      headers: { authorization: 'ApiKey nope-0123456789abcdef' },
    });
    expect([wrong.status, wrong.body.code]).toEqual([403, 'API_KEY_INVALID']);
  });

  it('logs a bare API_KEY key by the start of its digest, never the key', async () => {
    const reply = await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-api-key': FULL } });
    const line = await service.waitFor((entry) => entry.request_id === reply.headers.get('x-request-id'));
    expect(line.principal).toMatch(/^api-key:[0-9a-f]{12}$/);
    for (const secret of [FULL, READER, SCRAPER]) expect(service.output()).not.toContain(secret);
  });
});
