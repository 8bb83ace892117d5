// Bearer tokens (RFC 6750): a JWT verified with jose against the issuer's keys (signature, iss, aud, exp and nbf with
// a small clock skew, an allow-list of asymmetric algorithms), and the caller it names, with its scopes.
import { createHash } from 'node:crypto';
import { errors as jose, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { BearerConfig } from '../config';
import { errors } from '../errors';
import { IdentityProviderUnavailable, type KeySet } from './key-set';
import type { Principal } from './principal';
import { isScope, type Scope } from './scopes';

/** Longer tokens are refused unread: no identity provider we know issues one near this. */
export const MAX_TOKEN_LENGTH = 8192;
// Verified tokens are remembered, as Envoy's jwt_authn does, because a caller sends one token for its whole life and
// checking its signature every time more than doubles a read's CPU (bench/README.md). Same bytes, same answer: the
// entry lasts until the token expires, at most 5 minutes (so a key the issuer withdrew is not trusted for long).
const VERIFIED_TOKENS = 1000;
const REMEMBER_MS = 5 * 60_000;

/** Scopes from `scope` (space-separated, RFC 9068) or `scp` (an array, or a string), as providers differ. */
function tokenScopes(payload: JWTPayload): string[] {
  const { scope, scp } = payload;
  if (typeof scope === 'string') return scope.split(' ');
  if (Array.isArray(scp)) return scp.filter((item): item is string => typeof item === 'string');
  if (typeof scp === 'string') return scp.split(' ');
  return [];
}

/** What the 401 says of a token jose refused ("The token …"); anything else is not the token's fault. */
function refusal(error: unknown): string | undefined {
  if (error instanceof jose.JWTExpired) return 'has expired';
  if (error instanceof jose.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'is not valid yet';
    if (error.claim === 'iss') return 'was issued by another issuer';
    if (error.claim === 'aud') return 'is for another audience';
    return error.reason === 'missing' ? `has no "${error.claim}" claim` : `has an invalid "${error.claim}" claim`;
  }
  if (error instanceof jose.JOSEAlgNotAllowed) return 'is signed with an algorithm this service does not accept';
  if (error instanceof jose.JWSSignatureVerificationFailed) return 'has a signature that does not verify';
  if (error instanceof jose.JWKSNoMatchingKey) return 'is signed with a key its issuer does not publish';
  if (error instanceof jose.JOSEError) return 'is not a valid JWT';
  return undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function createBearerVerifier(config: BearerConfig, keys: KeySet) {
  const options = {
    issuer: config.issuer,
    audience: config.audiences,
    algorithms: config.algorithms,
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };
  // A Map, so that a `sub` such as "constructor" finds nothing rather than Object's prototype.
  const grants = new Map(Object.entries(config.grants));
  const verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS, ttl: REMEMBER_MS });

  return async function verifyBearer(token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH) throw errors.tokenInvalid(`is longer than ${MAX_TOKEN_LENGTH} characters`);
    const remembered = verified.get(token);
    if (remembered) return remembered;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys.getKey, options));
    } catch (error) {
      if (error instanceof IdentityProviderUnavailable) throw errors.identityProviderUnavailable(error);
      const problem = refusal(error);
      if (problem === undefined) throw error;
      throw errors.tokenInvalid(problem);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw errors.tokenInvalid('has an invalid "sub" claim');
    const subject = payload.sub;
    // Only a verified email names a principal: Google sets email_verified on a service account's ID token.
    const email = typeof payload.email === 'string' && payload.email_verified === true ? payload.email : undefined;
    const scopes = new Set<Scope>(tokenScopes(payload).filter(isScope));
    for (const granted of [grants.get(subject), email && grants.get(email)]) {
      for (const scope of granted || []) scopes.add(scope);
    }
    const principal: Principal = {
      id: `bearer:${subject}`,
      scopes,
      idempotencyScope: sha256(`bearer\n${config.issuer}\n${subject}`),
      via: 'bearer',
      ...(email && { email }),
    };
    const untilExpiry = ((payload.exp as number) + config.clockToleranceSeconds) * 1000 - Date.now();
    // A ttl of 0 would mean "forever" to lru-cache: a token expiring as it verified is not remembered at all.
    if (untilExpiry > 0) verified.set(token, principal, { ttl: Math.min(untilExpiry, REMEMBER_MS) });
    return principal;
  };
}
