// The 404 for a user that does not exist.
import { AppError } from '../errors';

export const userNotFound = (by: 'id' | 'username', value: string) =>
  new AppError('USER_NOT_FOUND', `No user has ${by} ${JSON.stringify(value)}.`);
