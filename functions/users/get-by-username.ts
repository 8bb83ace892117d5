// GET /api/v1/users/username/:username
import { database } from '../../shared/db';
import { findUserByUsername } from '../../shared/users/repository';
import { username } from '../../shared/users/schemas';
import { userNotFound } from '../../shared/users/not-found';
import { parseWith } from '../../shared/validation';
import type { Handler } from '../../shared/http/types';

export const getUserByUsername: Handler = async (request) => {
  const name = parseWith(username, request.params.username, 'path.username');
  const user = await findUserByUsername(await database(), name);
  if (!user) throw userNotFound('username', name);
  return { status: 200, body: user };
};
