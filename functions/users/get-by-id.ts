// GET /api/v1/users/id/:id
import { errors } from '../../shared/errors';
import { findUserById } from '../../shared/users/repository';
import { userId } from '../../shared/users/schemas';
import { parseWith } from '../../shared/validation';
import type { Handler } from '../../shared/http/types';

export const getUserById: Handler = async (request, { db }) => {
  const id = parseWith(userId, request.params.id, 'path.id');
  const user = await findUserById(db, id);
  if (!user) throw errors.userNotFound('id', id);
  return { status: 200, body: user };
};
