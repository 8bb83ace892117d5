// Who made a request, as the pipeline established it: what the logs and idempotency call the caller, and its scopes.
import type { Scope } from './scopes';

export interface Principal {
  /** For the logs: `bearer:<sub>`, `api-key:<name>`, or `anonymous` when auth is off. Never a secret. */
  id: string;
  /** The caller's scopes; `all` when auth is off and for API_KEY's keys (they predate scopes). */
  scopes: ReadonlySet<Scope> | 'all';
  /** Whose idempotency keys these are: a digest, so the table holds no secret; one for every caller when auth is off. */
  idempotencyScope: string;
  /** How the caller proved it: the 403 for a missing scope carries a Bearer challenge only for a token. */
  via: 'bearer' | 'api-key' | 'none';
  /** A token's verified `email` claim (a Google service account's, for one), for the logs. */
  email?: string;
}

export const ANONYMOUS: Principal = { id: 'anonymous', scopes: 'all', idempotencyScope: 'shared', via: 'none' };

export const holds = (principal: Principal, scope: Scope): boolean =>
  principal.scopes === 'all' || principal.scopes.has(scope);
