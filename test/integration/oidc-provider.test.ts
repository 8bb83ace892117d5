// End to end with a real identity provider: panva's oidc-provider issues JWT access tokens to client-credentials
// clients; the service finds its keys by OIDC discovery, judges each client by its scopes, and keeps verifying
// across the provider's key rotation without a restart.
import { decodeProtectedHeader, type JWK } from 'jose';
import { providerKey, startOidcProvider, type OidcProvider, type ProviderClient } from '../support/oidc-provider';
import { startApp, type TestApp } from '../support/app';
import { call } from '../support/http';

const AUDIENCE = 'https://usersvc.example.com';
const orders: ProviderClient = {
  client_id: 'orders',
  client_secret: 'orders-secret-0123456789',
  scope: 'users:read users:write',
};
const reporting: ProviderClient = {
  client_id: 'reporting',
  client_secret: 'reporting-secret-012345',
  scope: 'users:read',
};
const prometheus: ProviderClient = {
  client_id: 'prometheus',
  client_secret: 'prom-secret-0123456789',
  scope: 'metrics:read',
};

describe('tokens from oidc-provider (client credentials, JWT access tokens)', () => {
  let provider: OidcProvider;
  let service: TestApp;
  let firstKey: JWK;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    firstKey = await providerKey('RS256');
    provider = await startOidcProvider({
      audience: AUDIENCE,
      clients: [orders, reporting, prometheus],
      keys: [firstKey],
    });
    service = await startApp({ env: { AUTH_ISSUER: provider.issuer, AUTH_AUDIENCE: AUDIENCE } });
  });
  afterAll(async () => {
    await service?.close();
    await provider?.close();
  });

  it('lets each client do what its scopes allow, and logs it by its client id', async () => {
    const writer = await provider.token(orders);
    const created = await call(service.url, 'POST', '/api/v1/users', {
      headers: bearer(writer),
      json: { username: `oidc${Date.now()}`, email: `oidc-${Date.now()}@example.com`, full_name: 'From Orders' },
    });
    expect(created.status).toBe(201);
    const line = await service.waitFor((entry) => entry.request_id === created.headers.get('x-request-id'));
    expect(line.principal).toBe('bearer:orders');

    const reader = await provider.token(reporting);
    const read = await call(service.url, 'GET', `/api/v1/users/id/${created.body.id as string}`, {
      headers: bearer(reader),
    });
    expect(read.status).toBe(200);
    const write = await call(service.url, 'DELETE', `/api/v1/users/id/${created.body.id as string}`, {
      headers: bearer(reader),
    });
    expect([write.status, write.headers.get('www-authenticate')]).toEqual([
      403,
      'Bearer realm="usersvc", error="insufficient_scope", scope="users:write"',
    ]);

    const scrape = await call(service.url, 'GET', '/metrics', { headers: bearer(await provider.token(prometheus)) });
    expect(scrape.status).toBe(200);
  });

  it('a token asking for less than the client may have holds only that', async () => {
    const readOnly = await provider.token(orders, 'users:read');
    const write = await call(service.url, 'POST', '/api/v1/users', {
      headers: bearer(readOnly),
      json: { username: 'narrowscope', email: 'narrow@example.com', full_name: 'N' },
    });
    expect([write.status, write.body.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
  });

  it('verifies tokens signed with the provider’s new key after a rotation, with no restart, and the old ones too', async () => {
    const before = await provider.token(reporting);
    expect((await call(service.url, 'GET', '/api/v1/users', { headers: bearer(before) })).status).toBe(200);

    // The provider's rotation: a new key, listed first so it signs; the old one still published for its tokens.
    expect(decodeProtectedHeader(before).kid).toBe(firstKey.kid);
    const newKey = await providerKey('RS256');
    await provider.restart([newKey, firstKey]);
    const after = await provider.token(reporting);
    expect(decodeProtectedHeader(after).kid).toBe(newKey.kid);

    // The first token with the new kid makes the service fetch the keys again, unless it fetched them under 5 s
    // ago (the cooldown): then it is 401 until the cooldown has passed.
    let status = 0;
    for (let tries = 0; tries < 60 && status !== 200; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      const reply = await call(service.url, 'GET', '/api/v1/users', { headers: bearer(after) });
      status = reply.status;
      expect([200, 401]).toContain(status);
    }
    expect(status).toBe(200);
    expect((await call(service.url, 'GET', '/api/v1/users', { headers: bearer(before) })).status).toBe(200);
  });
});
