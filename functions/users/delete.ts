// DELETE /api/v1/users/id/:id : 204 whether or not the user was there (idempotent, as the seed service).
import { deleteUser as deleteUserRow } from '../../shared/users/repository';
import { userId } from '../../shared/users/schemas';
import { parseWith } from '../../shared/validation';
import type { Handler } from '../../shared/http/types';

export const deleteUser: Handler = async (request, { db }) => {
  const id = parseWith(userId, request.params.id, 'path.id');
  await deleteUserRow(db, id);
  return { status: 204 };
};
