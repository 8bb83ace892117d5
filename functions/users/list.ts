// GET /api/v1/users?limit=&cursor= : one keyset page in (created_at, id) order.
import { decodeCursor, encodeCursor } from '../../shared/users/cursor';
import { listUsers } from '../../shared/users/repository';
import { listQuery } from '../../shared/users/schemas';
import { parseWith, queryFields } from '../../shared/validation';
import type { Handler } from '../../shared/http/types';

export const listUsersHandler: Handler = async (request, { db }) => {
  const query = parseWith(listQuery, queryFields(request.query), 'query');
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const { users, hasMore } = await listUsers(db, query.limit, after);
  const last = users[users.length - 1];
  const nextCursor = hasMore && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null;
  return { status: 200, body: { data: users, next_cursor: nextCursor } };
};
