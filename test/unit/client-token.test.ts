// How the typed client keeps a bearer token (clients/typescript/src/token.ts): the JWT's exp read unverified, the
// margin before it, one call shared by concurrent gets, a dropped or failed token not kept. Against the service:
// test/integration/client-token.test.ts.
import { createTokenSource, tokenExpiry } from '../../clients/typescript/src/token';

/** An unsigned JWT with `claims` as its payload: the source reads it, never verifies it. */
const jwt = (claims: Record<string, unknown>) =>
  ['{"alg":"ES256","typ":"JWT"}', JSON.stringify(claims)]
    .map((part) => Buffer.from(part).toString('base64url'))
    .concat('c2lnbmF0dXJl')
    .join('.');

describe('tokenExpiry', () => {
  it('reads exp from the payload of a JWT, in ms', () => {
    expect(tokenExpiry(jwt({ sub: 'a', exp: 1_900_000_000 }))).toBe(1_900_000_000_000);
    // base64url's - and _, and no padding: "~~~" and "???" encode to them.
    expect(tokenExpiry(jwt({ exp: 1_900_000_000, n: '~~~???' }))).toBe(1_900_000_000_000);
  });

  it('is undefined for a token that is not a JWT or has no numeric exp', () => {
    for (const token of ['opaque-token', 'a.b', 'a..c', 'a.!!!.c', jwt({ sub: 'a' }), jwt({ exp: '1900000000' })]) {
      expect(tokenExpiry(token)).toBeUndefined();
    }
    expect(tokenExpiry(['e30', Buffer.from('[1,2]').toString('base64url'), 'c2ln'].join('.'))).toBeUndefined();
  });
});

describe('createTokenSource', () => {
  const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

  it('gives a fixed token as it is and cannot renew it', async () => {
    const source = createTokenSource('fixed', 60_000);
    expect(await source.get()).toBe('fixed');
    expect(source.renewable).toBe(false);
  });

  it('keeps a JWT until the margin before its exp', async () => {
    const fresh = jest.fn(() => jwt({ exp: inSeconds(120) }));
    const kept = createTokenSource(fresh, 60_000);
    await kept.get();
    await kept.get();
    expect(fresh).toHaveBeenCalledTimes(1);

    const due = jest.fn(() => jwt({ exp: inSeconds(120) })); // within a 130 s margin as soon as it is made
    const renewed = createTokenSource(due, 130_000);
    await renewed.get();
    await renewed.get();
    expect(due).toHaveBeenCalledTimes(2);
  });

  it('keeps a token without exp until that token is dropped', async () => {
    let n = 0;
    const source = createTokenSource(() => `opaque-${++n}`, 60_000);
    expect([await source.get(), await source.get()]).toEqual(['opaque-1', 'opaque-1']);
    source.drop('opaque-0'); // not the one kept: another call's refused token, already replaced
    expect(await source.get()).toBe('opaque-1');
    source.drop('opaque-1');
    expect(await source.get()).toBe('opaque-2');
  });

  it('shares one call of the function among concurrent gets', async () => {
    let release: (token: string) => void = () => undefined;
    const token = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const source = createTokenSource(token, 60_000);
    const gets = [source.get(), source.get(), source.get()];
    release('shared');
    expect(await Promise.all(gets)).toEqual(['shared', 'shared', 'shared']);
    expect(token).toHaveBeenCalledTimes(1);
  });

  it('keeps no failure: the error goes to every waiting get, the next get calls again', async () => {
    const failure = new Error('down');
    const token = jest.fn(async () => 'opaque').mockRejectedValueOnce(failure);
    const source = createTokenSource(token, 60_000);
    const results = await Promise.allSettled([source.get(), source.get()]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
    expect([source.threw(failure), source.threw(new Error('down'))]).toEqual([true, false]);
    expect(await source.get()).toBe('opaque');
    expect(token).toHaveBeenCalledTimes(2);
  });

  it('refuses a function that returns no token', async () => {
    const source = createTokenSource(() => '', 60_000);
    const error: unknown = await source.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(source.threw(error)).toBe(true);
  });
});
