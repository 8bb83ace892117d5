// PATCH /api/v1/users/id/:id : only the fields sent change; updated_at and the ETag move; If-Match makes it conditional.
import { errors } from '../../shared/errors';
import { jsonBody } from '../../shared/http/json-body';
import { updateUser } from '../../shared/users/repository';
import { patchUserInput, userId } from '../../shared/users/schemas';
import { parseWith } from '../../shared/validation';
import { ifMatchVersions } from '../../shared/http/preconditions';
import { userResponse } from './representation';
import type { Handler } from '../../shared/http/types';

export const patchUser: Handler = async (request, { db }) => {
  const id = parseWith(userId, request.params.id, 'path.id');
  const patch = parseWith(patchUserInput, jsonBody(request));
  // With If-Match the write happens only at a version it names; a user changed (or deleted) meanwhile is 412.
  const condition = ifMatchVersions(request.headers['if-match']);
  const updated = await updateUser(db, id, patch, Array.isArray(condition) ? condition : undefined);
  if (!updated) throw condition ? errors.preconditionFailed() : errors.userNotFound('id', id);
  return userResponse(200, updated);
};
