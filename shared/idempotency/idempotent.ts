// Runs a write at most once per Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header, with Stripe's
// behaviour as the reference): the first request with a key runs and its response is recorded in the same
// transaction as its writes; a retry with the same key and request replays that response (from any replica, after
// any restart); the same key with another request is 422; a retry while the first still runs is 409.
import type { Queryable } from '../db/database';
import { retryWriteConflicts } from '../db/retry';
import { errors } from '../errors';
import type { ApiRequest, ApiResponse, AppContext } from '../http/types';
import { fingerprintOf, idempotencyKeyOf } from './key';
import { claimKey, findRecordedResponse, recordResponse, type RecordedResponse } from './store';

/** Sent with a replayed response (as Stripe does), so a client can tell it from the first answer. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** What the request asks for, validated: the key is bound to it. */
export interface Operation {
  /** The route's name, e.g. createUser. */
  name: string;
  /** The validated input, path parameters and preconditions included. */
  input: unknown;
}

/**
 * Runs `write` for the request, once per Idempotency-Key when the request has one. `write` gets the database to
 * write through (a transaction when keyed) and returns the success response; an error it throws is answered as
 * usual and records nothing, so a retry of a failed request runs again. A write that lost a deadlock is run again
 * whole (transaction included).
 */
export function idempotent(
  request: ApiRequest,
  app: Pick<AppContext, 'db' | 'config'>,
  operation: Operation,
  write: (db: Queryable) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const key = idempotencyKeyOf(request.headers);
  if (key === undefined) return retryWriteConflicts(() => write(app.db));
  return writeOnce(request, app, operation, key, write);
}

/** The keyed path: claim the key, replay or run the write, record its response, all in one transaction. */
function writeOnce(
  request: ApiRequest,
  { db }: Pick<AppContext, 'db'>,
  operation: Operation,
  key: string,
  write: (db: Queryable) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  // Keys are the caller's own: each API key's, each token subject's, or one set for all when auth is off.
  const scope = request.principal.idempotencyScope;
  const fingerprint = fingerprintOf(operation.name, operation.input);

  return retryWriteConflicts(() =>
    db.transaction(async (tx) => {
      if (!(await claimKey(tx, scope, key))) throw errors.idempotencyKeyInUse();
      const recorded = await findRecordedResponse(tx, scope, key);
      if (recorded) {
        if (recorded.fingerprint !== fingerprint) throw errors.idempotencyKeyReused();
        return replay(recorded);
      }
      const response = asRecordable(await write(tx));
      await recordResponse(tx, scope, key, { fingerprint, ...response });
      return { status: response.status, headers: response.headers, body: response.body ?? undefined };
    }),
  );
}

/** The response with its body as JSON text: what is recorded is then exactly what is sent, now and on replay. */
function asRecordable(response: ApiResponse): Omit<RecordedResponse, 'fingerprint'> {
  if (response.contentType !== undefined || Buffer.isBuffer(response.body)) {
    throw new Error('idempotent writes answer JSON only'); // a programming error, never a client's
  }
  return {
    status: response.status,
    headers: response.headers ?? {},
    body: response.body === undefined ? null : JSON.stringify(response.body),
  };
}

function replay({ status, headers, body }: RecordedResponse): ApiResponse {
  return { status, headers: { ...headers, [REPLAYED_HEADER]: 'true' }, body: body ?? undefined };
}
