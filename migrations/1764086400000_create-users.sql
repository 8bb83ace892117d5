-- Up Migration
-- The users table. Uniqueness lives in indexes so that concurrent creates race safely (one wins, the rest get 23505).
CREATE TABLE users (
  id         uuid         PRIMARY KEY,
  username   varchar(50)  NOT NULL CHECK (username ~ '^[A-Za-z0-9]{3,50}$'),
  email      varchar(100) NOT NULL CHECK (email = lower(email)),
  full_name  varchar(100) NOT NULL CHECK (length(btrim(full_name)) >= 2),
  created_at timestamptz  NOT NULL DEFAULT now(),
  updated_at timestamptz  NOT NULL DEFAULT now()
);
-- Usernames are unique regardless of case; lookups by username use this index too.
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
-- Emails are stored lower-cased, so a plain unique index is case-insensitive.
CREATE UNIQUE INDEX users_email_key ON users (email);
-- Keyset pagination walks (created_at, id); this index keeps every page O(page size).
CREATE INDEX users_created_at_id_idx ON users (created_at, id);

-- Down Migration
DROP TABLE users;
