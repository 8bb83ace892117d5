// The only code that knows the idempotency_keys table's SQL (migrations/1795996800000_idempotency-keys.sql).
import type { Queryable, Statement } from '../db/database';

/** How long a key's response is replayed; after that the key is free again and its record is swept. */
export const KEY_TTL_HOURS = 24;

/** A response as recorded for replay. */
export interface RecordedResponse {
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  /** The JSON body as it was sent, or null for none. */
  body: string | null;
}

export const statements = {
  // A transaction-scoped advisory lock on the key: the one transaction that holds it runs the request; any other
  // gets false at once (409) rather than waiting. The first argument keeps these locks apart from any other user of
  // advisory locks (node-pg-migrate uses the one-argument form).
  claim: {
    name: 'idempotency_claim',
    text: `SELECT pg_try_advisory_xact_lock(1684366701, hashtext($1 || ' ' || $2)) AS claimed`,
  },
  find: {
    name: 'idempotency_find',
    text: `SELECT fingerprint, status, headers, body FROM idempotency_keys
           WHERE scope = $1 AND key = $2 AND created_at > now() - make_interval(hours => $3)`,
  },
  // Replaces an expired record of the same key, which the sweep may not have reached yet.
  record: {
    name: 'idempotency_record',
    text: `INSERT INTO idempotency_keys (scope, key, fingerprint, status, headers, body)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6)
           ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status,
             headers = EXCLUDED.headers, body = EXCLUDED.body, created_at = EXCLUDED.created_at`,
  },
  // Oldest first through idempotency_keys_created_at_idx, so a pass reads the expired rows only, and deleted by their
  // row address (a TID scan; matching on the key instead joins against the whole table). SKIP LOCKED: replicas
  // sweeping at once share the work instead of queueing on each other's rows, which also keeps each ctid current.
  sweep: {
    name: 'idempotency_sweep',
    text: `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM idempotency_keys WHERE created_at <= now() - make_interval(hours => $1)
             ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED))`,
  },
} satisfies Record<string, Statement>;

/** Takes the key for this transaction; false when another transaction is running a request with it. */
export async function claimKey(tx: Queryable, scope: string, key: string): Promise<boolean> {
  const { rows } = await tx.query<{ claimed: boolean }>(statements.claim, [scope, key]);
  return rows[0]?.claimed === true;
}

/** The response recorded for the key within the last KEY_TTL_HOURS, if any. */
export async function findRecordedResponse(
  tx: Queryable,
  scope: string,
  key: string,
): Promise<RecordedResponse | undefined> {
  const { rows } = await tx.query<RecordedResponse>(statements.find, [scope, key, KEY_TTL_HOURS]);
  return rows[0];
}

export async function recordResponse(
  tx: Queryable,
  scope: string,
  key: string,
  response: RecordedResponse,
): Promise<void> {
  const { fingerprint, status, headers, body } = response;
  await tx.query(statements.record, [scope, key, fingerprint, status, JSON.stringify(headers), body]);
}

/** Deletes up to `batch` expired records; resolves how many it deleted. */
export async function sweepExpiredKeys(db: Queryable, batch: number): Promise<number> {
  return (await db.query(statements.sweep, [KEY_TTL_HOURS, batch])).rowCount;
}
