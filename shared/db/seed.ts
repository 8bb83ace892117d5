// The demo users the seed service shipped; its clients and smoke tests rely on them. Idempotent.
import { v7 as uuidv7 } from 'uuid';
import type { Queryable } from './database';

export const DEMO_USERS = [
  { username: 'jdoe', email: 'jdoe@example.com', full_name: 'John Doe' },
  { username: 'asmith', email: 'asmith@example.com', full_name: 'Alice Smith' },
  { username: 'bjones', email: 'bjones@example.com', full_name: 'Bob Jones' },
] as const;

/** Inserts each demo user unless a user with its username or email exists; returns how many were inserted. */
export async function seedDemoUsers(db: Queryable): Promise<number> {
  let inserted = 0;
  for (const user of DEMO_USERS) {
    const result = await db.query(
      `INSERT INTO users (id, username, email, full_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [uuidv7(), user.username, user.email, user.full_name],
    );
    inserted += result.rowCount;
  }
  return inserted;
}
