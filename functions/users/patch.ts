// PATCH /api/v1/users/id/:id : only the fields sent change; updated_at and the ETag move; If-Match makes it
// conditional; with an Idempotency-Key, a retry replays the first answer instead of writing again.
import { errors } from '../../shared/errors';
import { idempotent } from '../../shared/idempotency/idempotent';
import { jsonBody } from '../../shared/http/json-body';
import { updateUser } from '../../shared/users/repository';
import { patchUserInput, pathUserId } from '../../shared/users/schemas';
import { parseWith } from '../../shared/validation';
import { ifMatchVersions } from '../../shared/http/preconditions';
import { userResponse } from './representation';
import type { Handler } from '../../shared/http/types';

export const patchUser: Handler = async (request, app) => {
  const id = pathUserId(request.params.id);
  const patch = parseWith(patchUserInput, jsonBody(request));
  // With If-Match the write happens only at a version it names; a user changed (or deleted) meanwhile is 412.
  const ifMatch = request.headers['if-match'];
  const condition = ifMatchVersions(ifMatch);
  const operation = { name: 'patchUser', input: { id, patch, ifMatch: ifMatch ?? null } };
  return idempotent(request, app, operation, async (db) => {
    const updated = await updateUser(db, id, patch, Array.isArray(condition) ? condition : undefined);
    if (!updated) throw condition ? errors.preconditionFailed() : errors.userNotFound('id', id);
    return userResponse(200, updated);
  });
};
