// The only code that knows the users table's SQL. Every statement is parameterized and named (prepared once per connection).
import { v7 as uuidv7 } from 'uuid';
import { errors } from '../errors';
import type { Queryable, Statement } from '../db/database';
import { uniqueViolation } from '../db/failures';
import type { CreateUserInput, PatchUserInput, User } from './schemas';

export type { User } from './schemas';
import type { CursorPosition } from './cursor';

/** A user as one statement read or wrote it, with the version its ETag names (moved by a trigger on every write). */
export interface VersionedUser {
  user: User;
  version: string;
}

// Microsecond precision: the cursor must hold created_at exactly, or a page could repeat or skip a row.
// The text columns reuse the names created_at/updated_at, so ORDER BY must qualify users.created_at: a bare
// name would sort by the output text, which no index serves (a full scan and sort on every page).
const RFC3339 = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const COLUMNS = `id, username, email, full_name,
  to_char(created_at AT TIME ZONE 'UTC', ${RFC3339}) AS created_at,
  to_char(updated_at AT TIME ZONE 'UTC', ${RFC3339}) AS updated_at`;
// Single-user statements also read the version (as text: it is a bigint); pages do not carry one per row.
const VERSIONED = `${COLUMNS}, version::text AS version`;

export const statements = {
  findById: { name: 'users_find_by_id', text: `SELECT ${VERSIONED} FROM users WHERE id = $1` },
  findByUsername: {
    name: 'users_find_by_username',
    text: `SELECT ${VERSIONED} FROM users WHERE lower(username) = lower($1)`,
  },
  listFirst: {
    name: 'users_list_first',
    text: `SELECT ${COLUMNS} FROM users ORDER BY users.created_at, users.id LIMIT $1`,
  },
  listAfter: {
    name: 'users_list_after',
    text: `SELECT ${COLUMNS} FROM users WHERE (created_at, id) > ($1::timestamptz, $2::uuid)
           ORDER BY users.created_at, users.id LIMIT $3`,
  },
  insert: {
    name: 'users_insert',
    text: `INSERT INTO users (id, username, email, full_name) VALUES ($1, $2, $3, $4) RETURNING ${VERSIONED}`,
  },
  // Absent fields arrive as NULL and keep their value; no column is nullable, so NULL never means "clear". $5, the
  // versions If-Match names (NULL: no condition), is decided in the same statement as the write, never read first.
  update: {
    name: 'users_update',
    text: `UPDATE users SET username = COALESCE($2, username), email = COALESCE($3, email),
             full_name = COALESCE($4, full_name), updated_at = clock_timestamp()
           WHERE id = $1 AND ($5::bigint[] IS NULL OR version = ANY($5::bigint[])) RETURNING ${VERSIONED}`,
  },
  delete: {
    name: 'users_delete',
    text: `DELETE FROM users WHERE id = $1 AND ($2::bigint[] IS NULL OR version = ANY($2::bigint[]))`,
  },
} satisfies Record<string, Statement>;

const fieldOfConstraint: Record<string, string> = {
  users_username_lower_key: 'username',
  users_email_key: 'email',
};

/**
 * A unique-index violation becomes 409 naming the field; the index decides, so concurrent writers race safely.
 * Retrying a write that deadlocked is the caller's (shared/idempotency/idempotent.ts): inside a transaction only the
 * whole transaction can run again.
 */
async function rethrowConflict<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint === undefined) throw error;
    const field = fieldOfConstraint[constraint] ?? 'id';
    throw errors.userConflict(field, error);
  }
}

type VersionedRow = User & { version: string };

function versioned(row: VersionedRow | undefined): VersionedUser | undefined {
  if (!row) return undefined;
  const { version, ...user } = row;
  return { user, version: String(version) };
}

export async function findUserById(db: Queryable, id: string): Promise<VersionedUser | undefined> {
  return versioned((await db.query<VersionedRow>(statements.findById, [id])).rows[0]);
}

export async function findUserByUsername(db: Queryable, username: string): Promise<VersionedUser | undefined> {
  return versioned((await db.query<VersionedRow>(statements.findByUsername, [username])).rows[0]);
}

/** One page in (created_at, id) order, plus whether more rows follow it. */
export async function listUsers(
  db: Queryable,
  limit: number,
  after: CursorPosition | undefined,
): Promise<{ users: User[]; hasMore: boolean }> {
  const { rows } = after
    ? await db.query<User>(statements.listAfter, [after.createdAt, after.id, limit + 1])
    : await db.query<User>(statements.listFirst, [limit + 1]);
  return { users: rows.slice(0, limit), hasMore: rows.length > limit };
}

export async function insertUser(db: Queryable, input: CreateUserInput): Promise<VersionedUser> {
  const id = uuidv7();
  const { rows } = await rethrowConflict(() =>
    db.query<VersionedRow>(statements.insert, [id, input.username, input.email, input.full_name]),
  );
  return versioned(rows[0]) as VersionedUser;
}

/**
 * Applies the patch; undefined when no row was written: the user does not exist, or `ifVersion` (the versions an
 * If-Match names; undefined: no condition) matched none of it.
 */
export async function updateUser(
  db: Queryable,
  id: string,
  patch: PatchUserInput,
  ifVersion?: readonly string[],
): Promise<VersionedUser | undefined> {
  const values = [id, patch.username ?? null, patch.email ?? null, patch.full_name ?? null, ifVersion ?? null];
  return versioned((await rethrowConflict(() => db.query<VersionedRow>(statements.update, values))).rows[0]);
}

/** Deletes the user (only at one of `ifVersion`, when given); resolves whether a row was deleted. */
export async function deleteUser(db: Queryable, id: string, ifVersion?: readonly string[]): Promise<boolean> {
  return (await db.query(statements.delete, [id, ifVersion ?? null])).rowCount > 0;
}
