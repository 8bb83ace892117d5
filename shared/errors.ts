// Every error the API can return, defined once; the README's error table is generated from this catalogue.

export interface ErrorDefinition {
  status: number;
  title: string;
  /** When the API returns it, in words; used for the README's table. */
  when: string;
}

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
  API_KEY_MISSING: {
    status: 401,
    title: 'API key missing',
    when: '`API_KEY` is set and the request has no `X-API-Key` header.',
  },
  API_KEY_INVALID: {
    status: 403,
    title: 'API key invalid',
    when: '`API_KEY` is set and `X-API-Key` matches none of its keys.',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    title: 'Route not found',
    when: 'No route has this path.',
  },
  USER_NOT_FOUND: {
    status: 404,
    title: 'User not found',
    when: 'No user has this id or username.',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method not allowed',
    when: 'The path exists but not for this method; `Allow` lists the methods it has.',
  },
  USER_CONFLICT: {
    status: 409,
    title: 'User already exists',
    when: 'Another user has this username (case-insensitively) or email.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    when: 'The body is over 64 KiB; it is rejected without being buffered.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    when: 'A POST or PATCH whose `Content-Type` is not `application/json` (UTF-8), or whose body is compressed.',
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
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  field: string;
  message: string;
}

/** The one error type of the service: a catalogue code, a human detail, and what else the response needs. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extras: {
      fieldErrors?: FieldError[];
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, { cause: extras.cause });
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }
}

/** Seconds a client should wait before retrying after the database was unavailable. */
export const RETRY_AFTER_SECONDS = 2;

export const databaseUnavailable = (cause: unknown) =>
  new AppError('DATABASE_UNAVAILABLE', 'The database is unavailable; retry later.', {
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    cause,
  });
