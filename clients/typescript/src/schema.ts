// Generated from the usersvc OpenAPI document by openapi-typescript: do not edit. Regenerate with
// `npm run client:types` (test/unit/client-types.test.ts fails while this file and the document differ).
export interface paths {
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process serves requests (never touches the database) */
    get: operations['health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: the database answers and the process is not draining */
    get: operations['ready'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This OpenAPI document */
    get: operations['openApi'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics of this process */
    get: operations['metrics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List users, one keyset page at a time */
    get: operations['listUsers'];
    put?: never;
    /** Create a user */
    post: operations['createUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/users/id/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a user by id */
    get: operations['getUserById'];
    put?: never;
    post?: never;
    /** Delete a user (idempotent without If-Match) */
    delete: operations['deleteUser'];
    options?: never;
    head?: never;
    /** Change some of a user’s fields */
    patch: operations['patchUser'];
    trace?: never;
  };
  '/api/v1/users/username/{username}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a user by username (case-insensitive) */
    get: operations['getUserByUsername'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    User: {
      /** Format: uuid */
      id: string;
      username: string;
      /** Format: email */
      email: string;
      full_name: string;
      /**
       * Format: date-time
       * @description RFC 3339, UTC, microseconds
       */
      created_at: string;
      /**
       * Format: date-time
       * @description RFC 3339, UTC, microseconds
       */
      updated_at: string;
    };
    UserPage: {
      data: components['schemas']['User'][];
      /** @description Pass as `cursor` for the next page; null on the last */
      next_cursor: string | null;
    };
    CreateUser: {
      /** @description ASCII letters and digits; unique case-insensitively. */
      username: string;
      /**
       * Format: email
       * @description Stored lower-cased; unique.
       */
      email: string;
      /** @description 2–100 characters after trimming, at least 2 of them letters or digits; letters of any script, digits, spaces and ' ’ . , - */
      full_name: string;
    };
    PatchUser: {
      /** @description ASCII letters and digits; unique case-insensitively. */
      username?: string;
      /**
       * Format: email
       * @description Stored lower-cased; unique.
       */
      email?: string;
      /** @description 2–100 characters after trimming, at least 2 of them letters or digits; letters of any script, digits, spaces and ' ’ . , - */
      full_name?: string;
    };
    /** @description RFC 9457 problem details */
    Problem: {
      /** Format: uri */
      type: string;
      title: string;
      status: number;
      detail: string;
      /** @enum {string} */
      code:
        | 'MALFORMED_JSON'
        | 'VALIDATION_FAILED'
        | 'UNSUPPORTED_TRANSFER_CODING'
        | 'MALFORMED_REQUEST'
        | 'CREDENTIALS_CONFLICT'
        | 'AUTHENTICATION_REQUIRED'
        | 'TOKEN_INVALID'
        | 'API_KEY_MISSING'
        | 'API_KEY_INVALID'
        | 'INSUFFICIENT_SCOPE'
        | 'ROUTE_NOT_FOUND'
        | 'USER_NOT_FOUND'
        | 'METHOD_NOT_ALLOWED'
        | 'REQUEST_TIMEOUT'
        | 'USER_CONFLICT'
        | 'WRITE_CONFLICT'
        | 'IDEMPOTENCY_KEY_IN_USE'
        | 'PRECONDITION_FAILED'
        | 'PAYLOAD_TOO_LARGE'
        | 'UNSUPPORTED_MEDIA_TYPE'
        | 'IDEMPOTENCY_KEY_REUSED'
        | 'HEADERS_TOO_LARGE'
        | 'INTERNAL'
        | 'DATABASE_UNAVAILABLE'
        | 'IDENTITY_PROVIDER_UNAVAILABLE'
        | 'SCHEMA_NOT_READY';
      request_id: string;
      errors?: {
        field: string;
        message: string;
      }[];
    };
    Health: {
      /** @constant */
      status: 'ok';
    };
    Readiness: {
      /** @enum {string} */
      status: 'ready' | 'not_ready';
      /** @description Each check and its outcome, e.g. {"database": "ok"}, {"shutdown": "draining"} */
      checks: {
        [key: string]: string;
      };
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Serving */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Health'];
        };
      };
      /** @description Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  ready: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Ready */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
      /** @description Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not ready; `checks` names the check that failed */
      503: {
        headers: {
          /** @description Seconds to wait before asking again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Readiness'];
        };
      };
    };
  };
  openApi: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The OpenAPI 3.1 document */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': Record<string, never>;
        };
      };
      /** @description Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  metrics: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Prometheus text exposition format */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description More than one credential (`CREDENTIALS_CONFLICT`); Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key missing (`API_KEY_MISSING`); Authentication required (`AUTHENTICATION_REQUIRED`); Token invalid (`TOKEN_INVALID`) */
      401: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key invalid (`API_KEY_INVALID`); Insufficient scope (`INSUFFICIENT_SCOPE`) */
      403: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Identity provider unavailable (`IDENTITY_PROVIDER_UNAVAILABLE`) */
      503: {
        headers: {
          /** @description Seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listUsers: {
    parameters: {
      query?: {
        limit?: number;
        /** @description `next_cursor` of the previous page */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of users */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['UserPage'];
        };
      };
      /** @description Validation failed (`VALIDATION_FAILED`); More than one credential (`CREDENTIALS_CONFLICT`); Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key missing (`API_KEY_MISSING`); Authentication required (`AUTHENTICATION_REQUIRED`); Token invalid (`TOKEN_INVALID`) */
      401: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key invalid (`API_KEY_INVALID`); Insufficient scope (`INSUFFICIENT_SCOPE`) */
      403: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Database unavailable (`DATABASE_UNAVAILABLE`); Identity provider unavailable (`IDENTITY_PROVIDER_UNAVAILABLE`); Schema not ready (`SCHEMA_NOT_READY`) */
      503: {
        headers: {
          /** @description Seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createUser: {
    parameters: {
      query?: never;
      header?: {
        /** @description One key of up to 255 printable ASCII characters (e.g. a UUID), new per request: for 24 hours a retry with the same key and request replays the first success instead of writing again; with another request it is 422. The header sent twice, or a comma-separated list (outside a quoted key), is 400 */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateUser'];
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          /** @description The user’s version, strong; send it in If-None-Match or If-Match */
          ETag?: string;
          /** @description The new user’s URL */
          Location?: string;
          /** @description `true` when this is the recorded answer to an earlier request with the key */
          'Idempotent-Replayed'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Malformed JSON (`MALFORMED_JSON`); Validation failed (`VALIDATION_FAILED`); More than one credential (`CREDENTIALS_CONFLICT`); Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key missing (`API_KEY_MISSING`); Authentication required (`AUTHENTICATION_REQUIRED`); Token invalid (`TOKEN_INVALID`) */
      401: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key invalid (`API_KEY_INVALID`); Insufficient scope (`INSUFFICIENT_SCOPE`) */
      403: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description User already exists (`USER_CONFLICT`); Write conflict (`WRITE_CONFLICT`); Idempotency key in use (`IDEMPOTENCY_KEY_IN_USE`) */
      409: {
        headers: {
          /** @description Seconds to wait before sending it again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Unsupported media type (`UNSUPPORTED_MEDIA_TYPE`) */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Idempotency key reused (`IDEMPOTENCY_KEY_REUSED`) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Database unavailable (`DATABASE_UNAVAILABLE`); Identity provider unavailable (`IDENTITY_PROVIDER_UNAVAILABLE`); Schema not ready (`SCHEMA_NOT_READY`) */
      503: {
        headers: {
          /** @description Seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getUserById: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of the user; 304 when it is still current */
        'If-None-Match'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user */
      200: {
        headers: {
          /** @description The user’s version, strong; send it in If-None-Match or If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Not modified: If-None-Match names the current version */
      304: {
        headers: {
          /** @description The user’s version, strong; send it in If-None-Match or If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Validation failed (`VALIDATION_FAILED`); More than one credential (`CREDENTIALS_CONFLICT`); Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key missing (`API_KEY_MISSING`); Authentication required (`AUTHENTICATION_REQUIRED`); Token invalid (`TOKEN_INVALID`) */
      401: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key invalid (`API_KEY_INVALID`); Insufficient scope (`INSUFFICIENT_SCOPE`) */
      403: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description User not found (`USER_NOT_FOUND`) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Database unavailable (`DATABASE_UNAVAILABLE`); Identity provider unavailable (`IDENTITY_PROVIDER_UNAVAILABLE`); Schema not ready (`SCHEMA_NOT_READY`) */
      503: {
        headers: {
          /** @description Seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteUser: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of the user (or a list of them, or *): write only if one is still current, compared character for character, else 412 and nothing is written; a tag the service never issued matches nothing */
        'If-Match'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted, or was already gone */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Validation failed (`VALIDATION_FAILED`); More than one credential (`CREDENTIALS_CONFLICT`); Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key missing (`API_KEY_MISSING`); Authentication required (`AUTHENTICATION_REQUIRED`); Token invalid (`TOKEN_INVALID`) */
      401: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key invalid (`API_KEY_INVALID`); Insufficient scope (`INSUFFICIENT_SCOPE`) */
      403: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Write conflict (`WRITE_CONFLICT`) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Precondition failed (`PRECONDITION_FAILED`) */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Database unavailable (`DATABASE_UNAVAILABLE`); Identity provider unavailable (`IDENTITY_PROVIDER_UNAVAILABLE`); Schema not ready (`SCHEMA_NOT_READY`) */
      503: {
        headers: {
          /** @description Seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  patchUser: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of the user (or a list of them, or *): write only if one is still current, compared character for character, else 412 and nothing is written; a tag the service never issued matches nothing */
        'If-Match'?: string;
        /** @description One key of up to 255 printable ASCII characters (e.g. a UUID), new per request: for 24 hours a retry with the same key and request replays the first success instead of writing again; with another request it is 422. The header sent twice, or a comma-separated list (outside a quoted key), is 400 */
        'Idempotency-Key'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PatchUser'];
      };
    };
    responses: {
      /** @description The updated user */
      200: {
        headers: {
          /** @description The user’s version, strong; send it in If-None-Match or If-Match */
          ETag?: string;
          /** @description `true` when this is the recorded answer to an earlier request with the key */
          'Idempotent-Replayed'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Malformed JSON (`MALFORMED_JSON`); Validation failed (`VALIDATION_FAILED`); More than one credential (`CREDENTIALS_CONFLICT`); Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key missing (`API_KEY_MISSING`); Authentication required (`AUTHENTICATION_REQUIRED`); Token invalid (`TOKEN_INVALID`) */
      401: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key invalid (`API_KEY_INVALID`); Insufficient scope (`INSUFFICIENT_SCOPE`) */
      403: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description User not found (`USER_NOT_FOUND`) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description User already exists (`USER_CONFLICT`); Write conflict (`WRITE_CONFLICT`); Idempotency key in use (`IDEMPOTENCY_KEY_IN_USE`) */
      409: {
        headers: {
          /** @description Seconds to wait before sending it again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Precondition failed (`PRECONDITION_FAILED`) */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Unsupported media type (`UNSUPPORTED_MEDIA_TYPE`) */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Idempotency key reused (`IDEMPOTENCY_KEY_REUSED`) */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Database unavailable (`DATABASE_UNAVAILABLE`); Identity provider unavailable (`IDENTITY_PROVIDER_UNAVAILABLE`); Schema not ready (`SCHEMA_NOT_READY`) */
      503: {
        headers: {
          /** @description Seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getUserByUsername: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of the user; 304 when it is still current */
        'If-None-Match'?: string;
      };
      path: {
        username: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user */
      200: {
        headers: {
          /** @description The user’s version, strong; send it in If-None-Match or If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description Not modified: If-None-Match names the current version */
      304: {
        headers: {
          /** @description The user’s version, strong; send it in If-None-Match or If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Validation failed (`VALIDATION_FAILED`); More than one credential (`CREDENTIALS_CONFLICT`); Unsupported transfer coding (`UNSUPPORTED_TRANSFER_CODING`); Malformed request (`MALFORMED_REQUEST`) */
      400: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key missing (`API_KEY_MISSING`); Authentication required (`AUTHENTICATION_REQUIRED`); Token invalid (`TOKEN_INVALID`) */
      401: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description API key invalid (`API_KEY_INVALID`); Insufficient scope (`INSUFFICIENT_SCOPE`) */
      403: {
        headers: {
          /** @description RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description User not found (`USER_NOT_FOUND`) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Method not allowed (`METHOD_NOT_ALLOWED`) */
      405: {
        headers: {
          /** @description The methods this path accepts */
          Allow?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request timeout (`REQUEST_TIMEOUT`) */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Payload too large (`PAYLOAD_TOO_LARGE`) */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Request header fields too large (`HEADERS_TOO_LARGE`) */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Database unavailable (`DATABASE_UNAVAILABLE`); Identity provider unavailable (`IDENTITY_PROVIDER_UNAVAILABLE`); Schema not ready (`SCHEMA_NOT_READY`) */
      503: {
        headers: {
          /** @description Seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
}
