// Who is calling: the one credential a request carries (a bearer token, or an API key in X-API-Key or as
// `Authorization: ApiKey <key>`), checked, as a Principal; and whether that principal holds a route's scope.
import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config';
import { errors } from '../errors';
import type { Logger } from '../logging';
import type { AuthSchemes } from '../openapi';
import { createApiKeyCheck } from './api-keys';
import { createBearerVerifier } from './bearer';
import { createKeySet } from './key-set';
import { ANONYMOUS, holds, type Principal } from './principal';
import type { Scope } from './scopes';

// RFC 6750's b64token: what may follow "Bearer ".
const B64TOKEN = /^[\w.~+/-]+=*$/;

export interface Authenticator {
  /** Which kinds of credential are on: what the OpenAPI document declares. */
  readonly schemes: AuthSchemes;
  /** The caller of a request to a non-public route: a Principal, or a 400, 401, 403 or 503 AppError. */
  authenticate(headers: IncomingHttpHeaders): Promise<Principal>;
  /** Throws 403 INSUFFICIENT_SCOPE unless the principal holds `scope`. */
  authorize(principal: Principal, scope: Scope): void;
  /** Fetches the identity provider's keys ahead of the first token (a no-op without bearer tokens). */
  warm(): Promise<void>;
}

/** The credentials a request offers, read from its headers; only those of a configured kind count. */
function credentialsOf(headers: IncomingHttpHeaders, bearerOn: boolean, keysOn: boolean) {
  // `<scheme> <credentials>`; the scheme is case-insensitive (RFC 9110, 11.1).
  const authorization = headers.authorization?.trim() ?? '';
  const space = authorization.indexOf(' ');
  const kind = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
  const rest = space === -1 ? '' : authorization.slice(space + 1);
  const token = bearerOn && kind === 'bearer' ? rest.trim() : undefined;
  // Prometheus scrapes (prometheus-operator, Google Managed Prometheus) can send only an Authorization header.
  const schemeKey = keysOn && kind === 'apikey' ? rest.trim() : undefined;
  const headerKey = keysOn ? headers['x-api-key'] : undefined;
  return { token, key: headerKey ?? schemeKey, keyTwice: headerKey !== undefined && schemeKey !== undefined };
}

export function createAuthenticator(config: Config, logger: Logger): Authenticator {
  const keysOn = config.apiKeys.length + config.scopedApiKeys.length > 0;
  const checkApiKey = createApiKeyCheck(config.apiKeys, config.scopedApiKeys);
  const keySet = config.bearer && createKeySet(config.bearer, logger);
  const verifyBearer = config.bearer && keySet && createBearerVerifier(config.bearer, keySet);

  return {
    schemes: { apiKeys: keysOn, bearer: verifyBearer !== undefined },
    async authenticate(headers) {
      if (!keysOn && !verifyBearer) return ANONYMOUS;
      const { token, key, keyTwice } = credentialsOf(headers, verifyBearer !== undefined, keysOn);
      // One credential a request, so that which one was judged is never in doubt (RFC 6750, 2: one method only).
      if ((token !== undefined && key !== undefined) || keyTwice) throw errors.credentialsConflict();
      if (token !== undefined && verifyBearer) {
        if (!B64TOKEN.test(token)) throw errors.tokenInvalid('is not a valid bearer token');
        return verifyBearer(token);
      }
      if (key !== undefined || !verifyBearer) return checkApiKey(key);
      throw errors.authenticationRequired(keysOn);
    },
    authorize(principal, scope) {
      if (!holds(principal, scope)) throw errors.insufficientScope(scope, principal.via === 'bearer');
    },
    warm: () => keySet?.warm() ?? Promise.resolve(),
  };
}
