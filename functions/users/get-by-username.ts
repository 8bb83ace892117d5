// GET /api/v1/users/username/:username
import { errors } from '../../shared/errors';
import { findUserByUsername } from '../../shared/users/repository';
import { username } from '../../shared/users/schemas';
import { parseWith } from '../../shared/validation';
import { conditionalUserResponse } from './representation';
import type { Handler } from '../../shared/http/types';

export const getUserByUsername: Handler = async (request, { db }) => {
  const name = parseWith(username, request.params.username, 'path.username');
  const found = await findUserByUsername(db, name);
  if (!found) throw errors.userNotFound('username', name);
  return conditionalUserResponse(request, found);
};
