// The typed client with a bearer token (clients/typescript/src/token.ts), against the service verifying tokens from a
// real issuer on loopback (scripts/token-issuer.ts): a fixed token, a token function called once and again near the
// token's exp, one retry after 401 invalid_token, the function's own error. What the client sends is recorded through
// its `fetch` option. How a token is kept, without the service: test/unit/client-token.test.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { createUsersClient, ProblemError } from '../../clients/typescript/src';
import { startTokenIssuer, TEST_AUDIENCE, type TokenIssuer } from '../../scripts/token-issuer';
import { startApp, type TestApp } from '../support/app';
import { thrown } from '../support/thrown';

const ELSEWHERE = 'https://elsewhere.test';

interface Sent {
  method: string;
  authorization: string | null;
  requestId: string | null;
  status: number;
}

/** A fetch for the client's `fetch` option that records each request sent and the status it got. */
function recording() {
  const sent: Sent[] = [];
  const fetch = async (request: Request) => {
    const { method, headers } = request;
    const response = await globalThis.fetch(request);
    sent.push({
      method,
      authorization: headers.get('authorization'),
      requestId: headers.get('x-request-id'),
      status: response.status,
    });
    return response;
  };
  return { sent, fetch };
}

describe('the client with a bearer token, against the service', () => {
  let issuer: TokenIssuer;
  let service: TestApp;
  // The service reads its config when it starts, so the issuer comes first (useApp would start it too early).
  beforeAll(async () => {
    issuer = await startTokenIssuer();
    service = await startApp({ env: { AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: TEST_AUDIENCE } });
  });
  afterAll(async () => {
    await service?.close();
    await issuer?.close();
  });

  const newUser = (name: string) => ({
    username: `${name}${Date.now().toString(36)}`,
    email: `${name}@example.com`,
    full_name: 'Token User',
  });

  it('sends a fixed token as Authorization: Bearer on every request', async () => {
    const token = await issuer.mint();
    const { sent, fetch } = recording();
    const users = createUsersClient({ baseUrl: service.url, token, fetch });
    const created = await users.createUser(newUser('fixed'));
    expect((await users.getUserById(created.id)).id).toBe(created.id);
    expect(sent.map((s) => [s.authorization, s.status])).toEqual([
      [`Bearer ${token}`, 201],
      [`Bearer ${token}`, 200],
    ]);
    const none = (await thrown(createUsersClient({ baseUrl: service.url }).listUsers())) as ProblemError;
    expect(none.code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('does not retry a fixed token the service refuses: the 401 TOKEN_INVALID is thrown at once', async () => {
    const { sent, fetch } = recording();
    const users = createUsersClient({ baseUrl: service.url, token: await issuer.mint({ aud: ELSEWHERE }), fetch });
    const error = await thrown(users.listUsers());
    expect(error).toBeInstanceOf(ProblemError);
    expect([(error as ProblemError).status, (error as ProblemError).code]).toEqual([401, 'TOKEN_INVALID']);
    expect(sent).toHaveLength(1);
  });

  it('calls a token function once for many calls, concurrent ones sharing the one call', async () => {
    const token = jest.fn(() => issuer.mint()); // lives 300 s: far from the 60 s margin
    const { sent, fetch } = recording();
    const users = createUsersClient({ baseUrl: service.url, token, fetch });
    await Promise.all([1, 2, 3, 4, 5].map(() => users.listUsers({ limit: 1 })));
    for (let i = 0; i < 3; i++) await users.listUsers({ limit: 1 });
    expect(token).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(8);
    expect(new Set(sent.map((s) => s.authorization)).size).toBe(1);
    expect(sent.every((s) => s.status === 200)).toBe(true);
  });

  it('calls the token function again 60 s (the default margin) before the token’s exp, while it is still valid', async () => {
    const minted: string[] = [];
    const token = jest.fn(async () => {
      minted.push(await issuer.mint({ jti: `t${minted.length}` }, { expiresIn: 61 }));
      return minted.at(-1) as string;
    });
    const { sent, fetch } = recording();
    const users = createUsersClient({ baseUrl: service.url, token, fetch });
    await users.listUsers({ limit: 1 });
    expect(token).toHaveBeenCalledTimes(1);
    // Wait until the token is within the margin of its exp (about a second after it was minted).
    const dueAt = (decodeJwt(minted[0] as string).exp as number) * 1000 - 60_000;
    await sleep(Math.max(0, dueAt - Date.now()) + 50);
    await users.listUsers({ limit: 1 });
    expect(token).toHaveBeenCalledTimes(2);
    expect(sent.map((s) => [s.authorization, s.status])).toEqual([
      [`Bearer ${minted[0]}`, 200],
      [`Bearer ${minted[1]}`, 200],
    ]);
  });

  it('after a 401 invalid_token, sends the request once more with a new token, a create included', async () => {
    const token = jest
      .fn(() => issuer.mint())
      .mockImplementationOnce(() => issuer.mint({ aud: ELSEWHERE })) // refused as invalid_token
      .mockImplementationOnce(() => issuer.mint({ jti: 'good' }));
    const { sent, fetch } = recording();
    const users = createUsersClient({ baseUrl: service.url, token, fetch });
    const created = await users.createUser(newUser('retried'));
    expect(token).toHaveBeenCalledTimes(2);
    expect(sent.map((s) => [s.method, s.status])).toEqual([
      ['POST', 401],
      ['POST', 201],
    ]);
    expect(sent[1]?.requestId).toBe(sent[0]?.requestId);
    expect(sent[1]?.authorization).not.toBe(sent[0]?.authorization);
    // The new token is kept; the user was created once.
    expect((await users.getUserByUsername(created.username)).id).toBe(created.id);
    expect(token).toHaveBeenCalledTimes(2);
  });

  it('throws a second 401 as ProblemError TOKEN_INVALID: one retry, no more', async () => {
    const token = jest.fn(() => issuer.mint({ aud: ELSEWHERE }));
    const { sent, fetch } = recording();
    const error = await thrown(createUsersClient({ baseUrl: service.url, token, fetch }).listUsers());
    expect(error).toBeInstanceOf(ProblemError);
    expect([(error as ProblemError).status, (error as ProblemError).code]).toEqual([401, 'TOKEN_INVALID']);
    expect(token).toHaveBeenCalledTimes(2);
    expect(sent.map((s) => s.status)).toEqual([401, 401]);
  });

  it('fails a call with what the token function throws, sending nothing, and asks it again on the next call', async () => {
    const thrownSync = new Error('no credentials configured');
    const rejected = new Error('identity provider unreachable');
    const token = jest
      .fn(() => issuer.mint())
      .mockImplementationOnce(() => {
        throw thrownSync;
      })
      .mockImplementationOnce(() => Promise.reject(rejected));
    const { sent, fetch } = recording();
    const users = createUsersClient({ baseUrl: service.url, token, fetch });
    expect(await thrown(users.listUsers())).toBe(thrownSync);
    expect(await thrown(users.createUser(newUser('failed')))).toBe(rejected);
    expect(sent).toHaveLength(0);
    expect((await users.listUsers({ limit: 1 })).data).toBeDefined();
    expect(token).toHaveBeenCalledTimes(3);
  });

  it('refuses a token and an API key together when the client is created', () => {
    for (const token of ['a-token', () => 'a-token']) {
      expect(() => createUsersClient({ baseUrl: service.url, apiKey: 'a-key', token })).toThrow(
        /apiKey or token, not both.*CREDENTIALS_CONFLICT/,
      );
    }
  });
});
