// Every error the API can return, defined once with its one wording (fastify's createError style); the README's
// error table is generated from this catalogue, and every AppError is made by one of the constructors below.
import { MAX_BODY_BYTES, RETRY_AFTER_SECONDS } from './http/limits';

export interface FieldError {
  field: string;
  message: string;
}

export interface ErrorDefinition {
  status: number;
  title: string;
  /** When the API returns it, in words; used for the README's table. */
  when: string;
}

const KIB = MAX_BODY_BYTES / 1024;
// RFC 6750's challenge; the realm names the service.
const BEARER = 'Bearer realm="usersvc"';

export const errorCatalogue = {
  MALFORMED_JSON: {
    status: 400,
    title: 'Malformed JSON',
    when: 'The request body is not valid JSON, or is empty where a body is required.',
  },
  VALIDATION_FAILED: {
    status: 400,
    title: 'Validation failed',
    when: 'A field, path parameter, query parameter or cursor fails validation; `errors` lists each.',
  },
  UNSUPPORTED_TRANSFER_CODING: {
    status: 400,
    title: 'Unsupported transfer coding',
    when: 'The request has a `Transfer-Encoding` other than `chunked` (e.g. `gzip, chunked`); refused unread, the connection closes.',
  },
  MALFORMED_REQUEST: {
    status: 400,
    title: 'Malformed request',
    when: "Node's HTTP parser refused the request (e.g. both `Content-Length` and `Transfer-Encoding`, a folded or control character in a header, a bad chunk size, a lower-case method, no `Host`); answered before routing, the connection closes.",
  },
  CREDENTIALS_CONFLICT: {
    status: 400,
    title: 'More than one credential',
    when: 'Both bearer tokens and API keys are on, and the request sends both (a token in `Authorization` and an `X-API-Key`); send one.',
  },
  AUTHENTICATION_REQUIRED: {
    status: 401,
    title: 'Authentication required',
    when: '`AUTH_ISSUER` is set and the request has no bearer token (nor an API key, where keys are also on); `WWW-Authenticate: Bearer` says so.',
  },
  TOKEN_INVALID: {
    status: 401,
    title: 'Token invalid',
    when: 'The bearer token is expired, not yet valid, for another issuer or audience, signed with an algorithm or key the issuer does not use, malformed or over 8 KiB; `detail` and `WWW-Authenticate` (`error="invalid_token"`) say which.',
  },
  API_KEY_MISSING: {
    status: 401,
    title: 'API key missing',
    when: 'API keys are on (`API_KEY` or `API_KEYS`), bearer tokens are not, and the request has no `X-API-Key` header.',
  },
  API_KEY_INVALID: {
    status: 403,
    title: 'API key invalid',
    when: 'The `X-API-Key` header (or `Authorization: ApiKey <key>`) matches none of the keys.',
  },
  INSUFFICIENT_SCOPE: {
    status: 403,
    title: 'Insufficient scope',
    when: 'The token or API key is valid but lacks the route\'s scope (`users:read`, `users:write` or `metrics:read`); for a token, `WWW-Authenticate` names it (`error="insufficient_scope"`).',
  },
  ROUTE_NOT_FOUND: { status: 404, title: 'Route not found', when: 'No route has this path.' },
  USER_NOT_FOUND: { status: 404, title: 'User not found', when: 'No user has this id or username.' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method not allowed',
    when: 'The path exists but not for this method; `Allow` lists the methods it has.',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request timeout',
    when: 'The headers and body did not all arrive within `REQUEST_TIMEOUT_MS`; the connection closes.',
  },
  USER_CONFLICT: {
    status: 409,
    title: 'User already exists',
    when: 'Another user has this username (case-insensitively) or email.',
  },
  WRITE_CONFLICT: {
    status: 409,
    title: 'Write conflict',
    when: 'Concurrent writes to the same users kept deadlocking with this one, retried a few times; send it again.',
  },
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    title: 'Idempotency key in use',
    when: 'A request with the same `Idempotency-Key` is still running; `Retry-After` says when to send it again (it then replays).',
  },
  PRECONDITION_FAILED: {
    status: 412,
    title: 'Precondition failed',
    when: 'A PATCH or DELETE whose `If-Match` names no current version of the user (changed or deleted since, or never one of its tags: compared character for character); nothing was written.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    when: `The body, declared or sent, is over ${KIB} KiB, whatever the method; refused unread (with \`Expect: 100-continue\`, instead of the 100), the connection closes.`,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    when: 'A POST or PATCH whose `Content-Type` is not `application/json` (UTF-8), or whose body is compressed.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency key reused',
    when: 'The `Idempotency-Key` was used in the last 24 hours for a different request (operation, path or body); nothing was written.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request header fields too large',
    when: "The request line and headers are over Node's limit (16 KiB); answered before routing, the connection closes.",
  },
  INTERNAL: {
    status: 500,
    title: 'Internal error',
    when: 'A bug. The response carries the request id and nothing else about the cause.',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    title: 'Database unavailable',
    when: 'The database cannot be reached or timed out; `Retry-After` says when to retry.',
  },
  IDENTITY_PROVIDER_UNAVAILABLE: {
    status: 503,
    title: 'Identity provider unavailable',
    when: "The identity provider's signing keys could not be fetched to check the token (tokens whose keys are held keep working); `Retry-After` says when to retry.",
  },
  SCHEMA_NOT_READY: {
    status: 503,
    title: 'Schema not ready',
    when: "The database's schema is older than this build needs (a migration has not run yet); `Retry-After` says when to retry.",
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;

interface ErrorExtras {
  fieldErrors?: FieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** The one error type of the service: a catalogue code, its detail, and what else the response needs. */
export class AppError extends Error {
  readonly status: number;

  private constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extras: ErrorExtras = {},
  ) {
    super(detail, { cause: extras.cause });
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }

  /** @internal Only the constructors below call this, so a code's wording lives in one place. */
  static make(code: ErrorCode, detail: string, extras?: ErrorExtras): AppError {
    return new AppError(code, detail, extras);
  }
}

/** One constructor per code; the detail text is written here and nowhere else. */
export const errors = {
  malformedJson: () => AppError.make('MALFORMED_JSON', 'The body must be valid UTF-8 JSON.'),
  validationFailed: (fieldErrors: FieldError[]) =>
    AppError.make('VALIDATION_FAILED', 'The request has invalid fields; see errors.', { fieldErrors }),
  credentialsConflict: () =>
    AppError.make('CREDENTIALS_CONFLICT', 'Send one credential: a bearer token or an API key, once.', {
      headers: { 'WWW-Authenticate': `${BEARER}, error="invalid_request"` },
    }),
  authenticationRequired: (apiKeysToo: boolean) =>
    AppError.make(
      'AUTHENTICATION_REQUIRED',
      apiKeysToo
        ? 'Send a bearer token in the Authorization header, or an API key in X-API-Key.'
        : 'Send a bearer token in the Authorization header.',
      { headers: { 'WWW-Authenticate': BEARER } },
    ),
  /** `problem` completes "The token …", e.g. "has expired". */
  tokenInvalid: (problem: string) =>
    AppError.make('TOKEN_INVALID', `The token ${problem}.`, {
      headers: { 'WWW-Authenticate': `${BEARER}, error="invalid_token", error_description="The token ${problem}"` },
    }),
  insufficientScope: (scope: string, bearer: boolean) =>
    AppError.make('INSUFFICIENT_SCOPE', `This request needs the ${scope} scope.`, {
      headers: bearer ? { 'WWW-Authenticate': `${BEARER}, error="insufficient_scope", scope="${scope}"` } : undefined,
    }),
  identityProviderUnavailable: (cause: unknown) =>
    AppError.make(
      'IDENTITY_PROVIDER_UNAVAILABLE',
      "The token's issuer could not be reached to check it; retry later.",
      {
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        cause,
      },
    ),
  apiKeyMissing: () => AppError.make('API_KEY_MISSING', 'Send a valid API key in the X-API-Key header.'),
  apiKeyInvalid: () => AppError.make('API_KEY_INVALID', 'The X-API-Key header does not hold a valid key.'),
  routeNotFound: (path: string) => AppError.make('ROUTE_NOT_FOUND', `No route matches ${path}.`),
  userNotFound: (by: 'id' | 'username', value: string) =>
    AppError.make('USER_NOT_FOUND', `No user has ${by} ${JSON.stringify(value)}.`),
  methodNotAllowed: (path: string, method: string, allow: readonly string[]) =>
    AppError.make('METHOD_NOT_ALLOWED', `${path} does not accept ${method}.`, {
      headers: { Allow: allow.join(', ') },
    }),
  userConflict: (field: string, cause: unknown) =>
    AppError.make('USER_CONFLICT', `Another user already has this ${field}.`, {
      fieldErrors: [{ field, message: 'is already taken' }],
      cause,
    }),
  malformedRequest: () =>
    AppError.make('MALFORMED_REQUEST', 'The request is not valid HTTP/1.1; fix it and send it on a new connection.'),
  headersTooLarge: () =>
    AppError.make('HEADERS_TOO_LARGE', 'The request line and headers must be at most 16 KiB together.'),
  requestTimeout: () =>
    AppError.make('REQUEST_TIMEOUT', 'The request did not arrive in time; send it again on a new connection.'),
  writeConflict: (cause: unknown) =>
    AppError.make('WRITE_CONFLICT', 'A concurrent write to the same users conflicted with this one; retry.', { cause }),
  unsupportedTransferCoding: () =>
    AppError.make('UNSUPPORTED_TRANSFER_CODING', 'Send the body with Transfer-Encoding: chunked or Content-Length.'),
  idempotencyKeyInUse: () =>
    AppError.make('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running; retry shortly.', {
      headers: { 'Retry-After': '1' },
    }),
  idempotencyKeyReused: () =>
    AppError.make(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used for a different request; send a new key for a new request.',
    ),
  preconditionFailed: () =>
    AppError.make('PRECONDITION_FAILED', 'The user has changed since the ETag in If-Match; GET it again and retry.'),
  payloadTooLarge: () => AppError.make('PAYLOAD_TOO_LARGE', `The body must be at most ${MAX_BODY_BYTES} bytes.`),
  unsupportedMediaType: () =>
    AppError.make('UNSUPPORTED_MEDIA_TYPE', 'Send the body uncompressed, as Content-Type: application/json (UTF-8).'),
  internal: (cause?: unknown) => AppError.make('INTERNAL', 'An unexpected error occurred.', { cause }),
  schemaNotReady: (missingMigration: string, cause?: unknown) =>
    AppError.make('SCHEMA_NOT_READY', `The database has not been migrated to ${missingMigration} yet; retry later.`, {
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      cause,
    }),
  databaseUnavailable: (cause: unknown) =>
    AppError.make('DATABASE_UNAVAILABLE', 'The database is unavailable; retry later.', {
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      cause,
    }),
} satisfies Record<string, (...args: never[]) => AppError>;
