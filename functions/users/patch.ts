// PATCH /api/v1/users/id/:id : only the fields sent change; updated_at moves.
import { database } from '../../shared/db';
import { jsonBody } from '../../shared/http/json-body';
import { updateUser } from '../../shared/users/repository';
import { patchUserInput, userId } from '../../shared/users/schemas';
import { userNotFound } from '../../shared/users/not-found';
import { parseWith } from '../../shared/validation';
import type { Handler } from '../../shared/http/types';

export const patchUser: Handler = async (request) => {
  const id = parseWith(userId, request.params.id, 'path.id');
  const patch = parseWith(patchUserInput, jsonBody(request));
  const user = await updateUser(await database(), id, patch);
  if (!user) throw userNotFound('id', id);
  return { status: 200, body: user };
};
