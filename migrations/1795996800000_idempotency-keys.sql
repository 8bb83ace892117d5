-- Up Migration
-- Every migration bounds its own waits (docs/RUNBOOK.md, "How to write a migration").
SET LOCAL lock_timeout = '2s';
SET LOCAL statement_timeout = '60s';
-- Idempotency-Key records (shared/idempotency/): the response a keyed POST or PATCH gave, replayed to its retries for
-- 24 hours. Expand only: a new table that the build before this one never names. A record is written in the same
-- transaction as the user row it describes, so there is never one without the other.
CREATE TABLE idempotency_keys (
  -- sha256 of the caller's API key in hex, or 'shared' when the service runs without keys: one caller's keys never
  -- meet another's.
  scope       text        NOT NULL,
  key         text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  -- sha256 of the operation and its validated input: the same key with another request is refused (422).
  fingerprint text        NOT NULL,
  -- An HTTP status (100-599): the 32-bit limit squawk warns of is not in reach.
  -- squawk-ignore prefer-bigint-over-int
  status      integer     NOT NULL,
  headers     jsonb       NOT NULL,
  -- The JSON body as sent, text rather than jsonb so that a replay is byte for byte the first answer.
  body        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
-- Expired records are deleted oldest first through this index, reading only the expired rows, never the whole table.
-- Not CONCURRENTLY: the table is created in this same transaction, so nothing can use it yet.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Down Migration
SET LOCAL lock_timeout = '2s';
SET LOCAL statement_timeout = '60s';
-- Exempt from ban-drop-table: a Down runs only on a deliberate `npm run migrate down`, never in a release.
-- squawk-ignore ban-drop-table
DROP TABLE idempotency_keys;
