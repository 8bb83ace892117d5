// The bearer token a client sends: a fixed string, or what a function supplies, kept until shortly before the JWT's
// `exp` and asked for once by all the calls that need a new one.

/** A token, or a function that gets one (e.g. an OAuth 2.0 client-credentials grant). */
export type TokenOption = string | (() => string | Promise<string>);

export interface TokenSource {
  /** The token to send: the kept one while fresh, else the function's next (one call shared by all who wait). */
  get(): Promise<string>;
  /** The service refused `token`: forget it, if it is still the one kept, so that get() asks for another. */
  drop(token: string): void;
  /** Whether drop() can lead to a different token: only a function can supply one. */
  readonly renewable: boolean;
  /** Whether `error` came from the token function, so that the call fails with it as it is. */
  threw(error: unknown): boolean;
}

/**
 * When a JWT expires, in ms since the epoch, from its payload's `exp`, read without verifying the signature (the
 * service verifies; this only decides when to ask for a new one). Undefined for a token that is not a JWT or has no
 * numeric `exp`.
 */
export function tokenExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    // base64url to base64; atob accepts the missing padding.
    const claims: unknown = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')));
    const exp = typeof claims === 'object' && claims !== null ? (claims as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** `marginMs` before its `exp`, a kept token is replaced; one without an `exp` is kept until dropped. */
export function createTokenSource(token: TokenOption, marginMs: number): TokenSource {
  if (typeof token === 'string') {
    return { get: () => Promise.resolve(token), drop: () => undefined, renewable: false, threw: () => false };
  }
  let kept: { token: string; staleAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const failures = new WeakSet<object>();

  const renew = async (): Promise<string> => {
    try {
      const value = await token();
      if (typeof value !== 'string' || value === '') {
        throw new TypeError(`the client's token function returned ${JSON.stringify(value)}, not a token`);
      }
      kept = { token: value, staleAt: (tokenExpiry(value) ?? Infinity) - marginMs };
      return value;
    } catch (error) {
      if (typeof error === 'object' && error !== null) failures.add(error);
      throw error;
    }
  };

  return {
    get() {
      if (kept && Date.now() < kept.staleAt) return Promise.resolve(kept.token);
      // Cleared once settled, so a failure is not kept: the next call asks the function again.
      pending ??= renew().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    drop(refused) {
      if (kept?.token === refused) kept = undefined;
    },
    renewable: true,
    threw: (error) => typeof error === 'object' && error !== null && failures.has(error),
  };
}
