// The only code that knows the users table's SQL. Every statement is parameterized and named (prepared once per connection).
import { v7 as uuidv7 } from 'uuid';
import { errors } from '../errors';
import type { Queryable, Statement } from '../db/database';
import { uniqueViolation } from '../db/failures';
import { retryWriteConflicts } from '../db/retry';
import type { CreateUserInput, PatchUserInput } from './schemas';
import type { CursorPosition } from './cursor';

export interface User {
  id: string;
  username: string;
  email: string;
  full_name: string;
  created_at: string;
  updated_at: string;
}

// Microsecond precision: the cursor must hold created_at exactly, or a page could repeat or skip a row.
// The text columns reuse the names created_at/updated_at, so ORDER BY must qualify users.created_at: a bare
// name would sort by the output text, which no index serves (a full scan and sort on every page).
const RFC3339 = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const COLUMNS = `id, username, email, full_name,
  to_char(created_at AT TIME ZONE 'UTC', ${RFC3339}) AS created_at,
  to_char(updated_at AT TIME ZONE 'UTC', ${RFC3339}) AS updated_at`;

export const statements = {
  findById: { name: 'users_find_by_id', text: `SELECT ${COLUMNS} FROM users WHERE id = $1` },
  findByUsername: {
    name: 'users_find_by_username',
    text: `SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`,
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
    text: `INSERT INTO users (id, username, email, full_name) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
  },
  // Absent fields arrive as NULL and keep their value; no column is nullable, so NULL never means "clear".
  update: {
    name: 'users_update',
    text: `UPDATE users SET username = COALESCE($2, username), email = COALESCE($3, email),
             full_name = COALESCE($4, full_name), updated_at = clock_timestamp()
           WHERE id = $1 RETURNING ${COLUMNS}`,
  },
  delete: { name: 'users_delete', text: `DELETE FROM users WHERE id = $1` },
} satisfies Record<string, Statement>;

const fieldOfConstraint: Record<string, string> = {
  users_username_lower_key: 'username',
  users_email_key: 'email',
};

/**
 * A unique-index violation becomes 409 naming the field; the index decides, so concurrent writers race safely. A
 * write that deadlocked with another (two users swapping emails) is retried a few times first (shared/db/retry.ts).
 */
async function rethrowConflict<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await retryWriteConflicts(write);
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint === undefined) throw error;
    const field = fieldOfConstraint[constraint] ?? 'id';
    throw errors.userConflict(field, error);
  }
}

export async function findUserById(db: Queryable, id: string): Promise<User | undefined> {
  return (await db.query<User>(statements.findById, [id])).rows[0];
}

export async function findUserByUsername(db: Queryable, username: string): Promise<User | undefined> {
  return (await db.query<User>(statements.findByUsername, [username])).rows[0];
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

export async function insertUser(db: Queryable, input: CreateUserInput): Promise<User> {
  const id = uuidv7();
  const { rows } = await rethrowConflict(() =>
    db.query<User>(statements.insert, [id, input.username, input.email, input.full_name]),
  );
  return rows[0] as User;
}

export async function updateUser(db: Queryable, id: string, patch: PatchUserInput): Promise<User | undefined> {
  const values = [id, patch.username ?? null, patch.email ?? null, patch.full_name ?? null];
  return (await rethrowConflict(() => db.query<User>(statements.update, values))).rows[0];
}

/** Deletes the user; resolves whether a row was there (the API answers 204 either way). */
export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  return (await retryWriteConflicts(() => db.query(statements.delete, [id]))).rowCount > 0;
}
