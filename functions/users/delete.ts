// DELETE /api/v1/users/id/:id : 204 whether or not the user was there (idempotent, as the seed service), unless an
// If-Match no longer matches (412).
import { deleteUser as deleteUserRow } from '../../shared/users/repository';
import { pathUserId } from '../../shared/users/schemas';
import { errors } from '../../shared/errors';
import { ifMatchVersions } from '../../shared/http/preconditions';
import { retryWriteConflicts } from '../../shared/db/retry';
import type { Handler } from '../../shared/http/types';

export const deleteUser: Handler = async (request, { db }) => {
  const id = pathUserId(request.params.id);
  // Without If-Match, deleting is idempotent; with it, only a user at a version it names is deleted (else 412).
  const condition = ifMatchVersions(request.headers['if-match']);
  const deleted = await retryWriteConflicts(() =>
    deleteUserRow(db, id, Array.isArray(condition) ? condition : undefined),
  );
  if (!deleted && condition) throw errors.preconditionFailed();
  return { status: 204 };
};
