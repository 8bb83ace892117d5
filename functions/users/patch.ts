// PATCH /api/v1/users/id/:id : only the fields sent change; updated_at moves.
import { errors } from '../../shared/errors';
import { jsonBody } from '../../shared/http/json-body';
import { updateUser } from '../../shared/users/repository';
import { patchUserInput, userId } from '../../shared/users/schemas';
import { parseWith } from '../../shared/validation';
import type { Handler } from '../../shared/http/types';

export const patchUser: Handler = async (request, { db }) => {
  const id = parseWith(userId, request.params.id, 'path.id');
  const patch = parseWith(patchUserInput, jsonBody(request));
  const user = await updateUser(db, id, patch);
  if (!user) throw errors.userNotFound('id', id);
  return { status: 200, body: user };
};
