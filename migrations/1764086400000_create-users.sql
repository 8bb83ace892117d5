-- Up Migration
-- Every migration bounds its own waits (docs/RUNBOOK.md, "How to write a migration"). SET LOCAL: node-pg-migrate
-- runs each SQL migration in its own transaction, so the settings end with it.
SET LOCAL lock_timeout = '2s';
SET LOCAL statement_timeout = '60s';
-- The users table. Uniqueness lives in indexes so that concurrent creates race safely (one wins, the rest get 23505).
-- Exempt from squawk's prefer-text-field (varchar limits make a later change of limit take an ACCESS EXCLUSIVE lock):
-- the limits are the API's (shared/users/schemas.ts, the OpenAPI document), and raising one later is a catalogue-only
-- ALTER with no table rewrite, whose brief lock the migration's lock_timeout bounds.
CREATE TABLE users (
  id         uuid         PRIMARY KEY,
  -- squawk-ignore prefer-text-field
  username   varchar(50)  NOT NULL CHECK (username ~ '^[A-Za-z0-9]{3,50}$'),
  -- squawk-ignore prefer-text-field
  email      varchar(100) NOT NULL CHECK (email = lower(email)),
  -- squawk-ignore prefer-text-field
  full_name  varchar(100) NOT NULL CHECK (length(btrim(full_name)) >= 2),
  created_at timestamptz  NOT NULL DEFAULT now(),
  updated_at timestamptz  NOT NULL DEFAULT now()
);
-- The indexes below are built without CONCURRENTLY on purpose: the table is created in this same transaction, so
-- nothing can read or write it yet (squawk knows this: with assume_in_transaction it does not ask for CONCURRENTLY).
-- Usernames are unique regardless of case; lookups by username use this index too.
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
-- Emails are stored lower-cased, so a plain unique index is case-insensitive.
CREATE UNIQUE INDEX users_email_key ON users (email);
-- Keyset pagination walks (created_at, id); this index keeps every page O(page size).
CREATE INDEX users_created_at_id_idx ON users (created_at, id);

-- Down Migration
SET LOCAL lock_timeout = '2s';
SET LOCAL statement_timeout = '60s';
-- Exempt from squawk's ban-drop-table: this reverts the Up above, and runs only on a deliberate
-- `npm run migrate down` (development, tests); a rollout never runs a Down, and a rollback moves traffic only.
-- squawk-ignore ban-drop-table
DROP TABLE users;
