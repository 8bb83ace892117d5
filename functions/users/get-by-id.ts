// GET /api/v1/users/id/:id : the user with its ETag; 304 when If-None-Match names it.
import { errors } from '../../shared/errors';
import { findUserById } from '../../shared/users/repository';
import { pathUserId } from '../../shared/users/schemas';
import { conditionalUserResponse } from './representation';
import type { Handler } from '../../shared/http/types';

export const getUserById: Handler = async (request, { db }) => {
  const id = pathUserId(request.params.id);
  const found = await findUserById(db, id);
  if (!found) throw errors.userNotFound('id', id);
  return conditionalUserResponse(request, found);
};
