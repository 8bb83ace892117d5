// X-API-Key: 401 when missing, 403 when wrong, probes open, rotation with two keys, keys never logged.
import { useApp } from '../support/app';
import { call } from '../support/http';

const OLD_KEY = 'old-key-0123456789abcdef';
const NEW_KEY = 'new-key-fedcba9876543210';

describe('API key authentication', () => {
  const service = useApp({ env: { API_KEY: `${OLD_KEY},${NEW_KEY}` } });

  it('answers a request without X-API-Key with 401 problem details', async () => {
    const reply = await call(service.url, 'GET', '/api/v1/users');
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ code: 'API_KEY_MISSING', request_id: reply.headers.get('x-request-id') });
  });

  it('answers a wrong key with 403, including one that is a prefix of a real key', async () => {
    for (const key of ['wrong-key-0123456789abcdef', OLD_KEY.slice(0, -1), `${OLD_KEY}x`]) {
      const reply = await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-api-key': key } });
      expect(reply.status).toBe(403);
      expect(reply.body.code).toBe('API_KEY_INVALID');
    }
  });

  it('accepts every configured key, so a key can be rotated without downtime', async () => {
    for (const key of [OLD_KEY, NEW_KEY]) {
      const reply = await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-api-key': key } });
      expect(reply.status).toBe(200);
    }
  });

  it('asks for the key before saying whether a route exists', async () => {
    expect((await call(service.url, 'GET', '/api/v1/secret-admin')).status).toBe(401);
    const withKey = await call(service.url, 'GET', '/api/v1/secret-admin', { headers: { 'x-api-key': NEW_KEY } });
    expect(withKey.status).toBe(404);
  });

  it('keeps the probes open without a key', async () => {
    expect((await call(service.url, 'GET', '/health')).status).toBe(200);
    expect((await call(service.url, 'GET', '/ready')).status).toBe(200);
  });

  it('never writes a key to the logs', async () => {
    await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-api-key': OLD_KEY } });
    await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-api-key': 'wrong-key-0123456789abcdef' } });
    expect(service.output()).toContain('"requestUrl":"/api/v1/users"'); // the requests were logged
    expect(service.output()).not.toContain(OLD_KEY);
    expect(service.output()).not.toContain(NEW_KEY);
    expect(service.output()).not.toContain('wrong-key-0123456789abcdef');
  });
});
