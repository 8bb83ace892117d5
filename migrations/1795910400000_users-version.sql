-- Up Migration
-- Every migration bounds its own waits (docs/RUNBOOK.md, "How to write a migration").
SET LOCAL lock_timeout = '2s';
SET LOCAL statement_timeout = '60s';
-- Optimistic concurrency (ETag / If-Match): each user carries a version that every write moves. Expand only: a
-- constant DEFAULT makes this a catalogue change with no table rewrite (PostgreSQL 11+), and the build before this
-- one, which never names the column, keeps inserting (version 1) and updating as before.
ALTER TABLE users ADD COLUMN version bigint NOT NULL DEFAULT 1;
-- A trigger, not the application, moves the version, so that a write from a revision that predates the column
-- (still serving during a rollout, or rolled back to) changes the ETag too, in the same statement as the write.
CREATE FUNCTION users_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END
$$;
CREATE TRIGGER users_next_version BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_next_version();

-- Down Migration
SET LOCAL lock_timeout = '2s';
SET LOCAL statement_timeout = '60s';
DROP TRIGGER users_next_version ON users;
DROP FUNCTION users_next_version();
-- Exempt from ban-drop-column: a Down runs only on a deliberate `npm run migrate down`, never in a release.
-- squawk-ignore ban-drop-column
ALTER TABLE users DROP COLUMN version;
