// How one user is answered: its body with a strong ETag (its version), revalidated with If-None-Match (304). Shared by
// the handlers that return a single user.
import { etagOf, noneMatchHits } from '../../shared/http/preconditions';
import type { ApiRequest, ApiResponse } from '../../shared/http/types';
import type { VersionedUser } from '../../shared/users/repository';

// Private (personal data, never in a shared cache) and revalidated on every use, which the ETag makes cheap.
const CACHE_CONTROL = 'private, no-cache';

export function userResponse(
  status: number,
  { user, version }: VersionedUser,
  headers: Record<string, string> = {},
): ApiResponse {
  return { status, body: user, headers: { ETag: etagOf(version), 'Cache-Control': CACHE_CONTROL, ...headers } };
}

/** 304 without a body when the client's If-None-Match already names this version, else 200 with the user. */
export function conditionalUserResponse(request: ApiRequest, found: VersionedUser): ApiResponse {
  if (noneMatchHits(request.headers['if-none-match'], etagOf(found.version))) {
    return { status: 304, headers: { ETag: etagOf(found.version), 'Cache-Control': CACHE_CONTROL } };
  }
  return userResponse(200, found);
}
