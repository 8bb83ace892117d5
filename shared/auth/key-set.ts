// The issuer's signing keys: found by OIDC discovery (or at AUTH_JWKS_URL), held by jose's remote key set, fetched
// again when a token names a key we do not have (at most every 5 s), so the issuer's key rotation needs no restart.
import { createRemoteJWKSet, errors as jose, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { BearerConfig } from '../config';
import type { Logger } from '../logging';

const FETCH_TIMEOUT_MS = 3_000;
// After a failed discovery or first key fetch, answer 503 at once for this long rather than make every request wait.
const RETRY_AFTER_FAILURE_MS = 5_000;
// Keys are fetched again in the background this often, so a key the issuer withdrew stops verifying.
const REFRESH_AFTER_MS = 10 * 60_000;
// A token naming a key we lack makes us fetch the set again, at most this often: a provider that signs with a key the
// moment it publishes it is believed within seconds, and a flood of made-up key ids costs it one request per 5 s.
const UNKNOWN_KEY_COOLDOWN_MS = 5_000;

/** The identity provider could not be asked for its keys: the request gets 503, not 401. */
export class IdentityProviderUnavailable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityProviderUnavailable';
  }
}

export interface KeySet {
  /** jose's key lookup for jwtVerify; throws IdentityProviderUnavailable when the keys cannot be had. */
  getKey: JWTVerifyGetKey;
  /** Discovers and fetches the keys ahead of the first token; resolves whether or not that worked (it logs). */
  warm(): Promise<void>;
}

const discoveryDocument = z.object({ issuer: z.string(), jwks_uri: z.url() });

async function discoverJwksUrl(issuer: string): Promise<URL> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const document = discoveryDocument.parse(await response.json());
  // OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was fetched for.
  if (document.issuer !== issuer) throw new Error(`${url} names issuer ${document.issuer}, not ${issuer}`);
  return new URL(document.jwks_uri);
}

export function createKeySet(config: BearerConfig, logger: Logger): KeySet {
  type RemoteSet = ReturnType<typeof createRemoteJWKSet>;
  let remote: Promise<RemoteSet> | undefined;
  let haveKeys = false;
  let failedAt = -Infinity;
  let refreshedAt = -Infinity;

  const failed = (error: unknown): never => {
    failedAt = Date.now();
    throw error instanceof IdentityProviderUnavailable
      ? error
      : new IdentityProviderUnavailable(`the identity provider's keys could not be fetched: ${String(error)}`, {
          cause: error,
        });
  };

  // One discovery at a time; a failed one is forgotten, so the next request after the pause tries again.
  const remoteSet = (): Promise<RemoteSet> => {
    remote ??= (config.jwksUrl ? Promise.resolve(new URL(config.jwksUrl)) : discoverJwksUrl(config.issuer)).then(
      (url) =>
        createRemoteJWKSet(url, {
          timeoutDuration: FETCH_TIMEOUT_MS,
          cooldownDuration: UNKNOWN_KEY_COOLDOWN_MS,
          // Never refetched in the request's path because of age: an unreachable provider must not fail tokens whose
          // keys we hold. The refresh below runs beside the request instead.
          cacheMaxAge: Infinity,
        }),
      (error: unknown) => {
        remote = undefined;
        return failed(error);
      },
    );
    return remote;
  };

  const refreshInBackground = (keys: RemoteSet) => {
    if (Date.now() - refreshedAt < REFRESH_AFTER_MS || keys.reloading) return;
    refreshedAt = Date.now();
    keys.reload().catch((error: unknown) => {
      logger.warn('identity provider keys not refreshed; the ones held stay in use', { error: String(error) });
    });
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!haveKeys && Date.now() - failedAt < RETRY_AFTER_FAILURE_MS) {
      throw new IdentityProviderUnavailable('the identity provider was unreachable moments ago');
    }
    const keys = await remoteSet();
    if (haveKeys) refreshInBackground(keys);
    try {
      const key = await keys(header, token);
      if (!haveKeys) [haveKeys, refreshedAt] = [true, Date.now()];
      return key;
    } catch (error) {
      // A key the set does not have is the token's fault (401); failing to fetch the set is the provider's (503).
      if (error instanceof jose.JWKSNoMatchingKey || error instanceof jose.JWKSMultipleMatchingKeys) throw error;
      return failed(error);
    }
  };

  const warm = async () => {
    try {
      const keys = await remoteSet();
      await keys.reload();
      [haveKeys, refreshedAt] = [true, Date.now()];
    } catch (error) {
      logger.warn('identity provider not reachable at start-up; tokens get 503 until it is', {
        issuer: config.issuer,
        error: error instanceof IdentityProviderUnavailable ? error.message : String(error),
      });
    }
  };

  return { getKey, warm };
}
