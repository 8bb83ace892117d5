// The one place where an error becomes a response: RFC 9457 problem details, never a stack trace or SQL.
import { AppError, errorCatalogue, errors, type ErrorCode } from '../errors';
import type { ApiResponse } from './types';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
// A URN, not a URL: it names the problem type without pretending there is a page to fetch.
const TYPE_BASE = 'urn:usersvc:problem:';

export const problemType = (code: ErrorCode) => `${TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`;

/** Maps any thrown value to a problem response; anything but an AppError is an internal error. */
export function problemResponse(error: unknown, requestId: string): ApiResponse {
  const appError = error instanceof AppError ? error : errors.internal(error);
  const definition = errorCatalogue[appError.code];
  const body: Record<string, unknown> = {
    type: problemType(appError.code),
    title: definition.title,
    status: definition.status,
    detail: appError.detail,
    code: appError.code,
    request_id: requestId,
  };
  if (appError.extras.fieldErrors) body.errors = appError.extras.fieldErrors;
  return {
    status: definition.status,
    body,
    headers: appError.extras.headers,
    contentType: PROBLEM_CONTENT_TYPE,
  };
}
