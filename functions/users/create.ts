// POST /api/v1/users : with an Idempotency-Key, a retry replays the first answer and creates nothing.
import { idempotent } from '../../shared/idempotency/idempotent';
import { jsonBody } from '../../shared/http/json-body';
import { insertUser } from '../../shared/users/repository';
import { createUserInput } from '../../shared/users/schemas';
import { parseWith } from '../../shared/validation';
import { userResponse } from './representation';
import type { Handler } from '../../shared/http/types';

export const createUser: Handler = async (request, app) => {
  const input = parseWith(createUserInput, jsonBody(request));
  return idempotent(request, app, { name: 'createUser', input }, async (db) => {
    const created = await insertUser(db, input);
    return userResponse(201, created, { Location: `/api/v1/users/id/${created.user.id}` });
  });
};
