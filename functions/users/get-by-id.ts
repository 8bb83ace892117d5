// GET /api/v1/users/id/:id
import { database } from '../../shared/db';
import { findUserById } from '../../shared/users/repository';
import { userId } from '../../shared/users/schemas';
import { userNotFound } from '../../shared/users/not-found';
import { parseWith } from '../../shared/validation';
import type { Handler } from '../../shared/http/types';

export const getUserById: Handler = async (request) => {
  const id = parseWith(userId, request.params.id, 'path.id');
  const user = await findUserById(await database(), id);
  if (!user) throw userNotFound('id', id);
  return { status: 200, body: user };
};
