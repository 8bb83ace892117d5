// Every route the service has: method, path template, handler, and what the OpenAPI document says of it. The
// router, the per-route targets and the document are all built from this table.
import type { ErrorCode } from '../shared/errors';
import type { Route } from '../shared/http/types';
import { MAX_KEY_LENGTH } from '../shared/idempotency/key';
import { docsAsset, docsPage } from './docs/handlers';
import { openApi } from './openapi';
import { health } from './probes/health';
import { metrics } from './probes/metrics';
import { ready } from './probes/ready';
import { createUser } from './users/create';
import { deleteUser } from './users/delete';
import { getUserById } from './users/get-by-id';
import { getUserByUsername } from './users/get-by-username';
import { listUsersHandler } from './users/list';
import { patchUser } from './users/patch';

const ETAG = { ETag: 'The user’s version, strong; send it in If-None-Match or If-Match' };
const user = (status: number, description: string) => ({ status, description, schema: 'User', headers: ETAG });
// A user read: 200 with its ETag, or 304 when If-None-Match names it.
const userRead = [
  user(200, 'The user'),
  { status: 304, description: 'Not modified: If-None-Match names the current version', headers: ETAG },
];
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  schema: { type: 'string', minLength: 1, maxLength: MAX_KEY_LENGTH },
  description:
    'One key of up to 255 printable ASCII characters (e.g. a UUID), new per request: for 24 hours a retry with the ' +
    'same key and request replays the first success instead of writing again; with another request it is 422. ' +
    'The header sent twice, or a comma-separated list (outside a quoted key), is 400',
};
const REPLAYED = {
  'Idempotent-Replayed': '`true` when this is the recorded answer to an earlier request with the key',
};
// What a write with a JSON body can answer besides its success: the body, the unique indexes, its Idempotency-Key.
const BODY_WRITE_ERRORS = [
  'MALFORMED_JSON',
  'VALIDATION_FAILED',
  'USER_CONFLICT',
  'WRITE_CONFLICT',
  'IDEMPOTENCY_KEY_IN_USE',
  'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'DATABASE_UNAVAILABLE',
] as const satisfies readonly ErrorCode[];
const IF_NONE_MATCH = { name: 'If-None-Match', description: 'An ETag of the user; 304 when it is still current' };
const IF_MATCH = {
  name: 'If-Match',
  description:
    'An ETag of the user (or a list of them, or *): write only if one is still current, compared character for ' +
    'character, else 412 and nothing is written; a tag the service never issued matches nothing',
};

export const routes = {
  health: {
    method: 'GET',
    path: '/health',
    handler: health,
    summary: 'Liveness: the process serves requests (never touches the database)',
    responses: [{ status: 200, description: 'Serving', schema: 'Health' }],
  },
  ready: {
    method: 'GET',
    path: '/ready',
    handler: ready,
    summary: 'Readiness: the database answers and the process is not draining',
    responses: [
      { status: 200, description: 'Ready', schema: 'Readiness' },
      {
        status: 503,
        description: 'Not ready; `checks` names the check that failed',
        schema: 'Readiness',
        headers: { 'Retry-After': 'Seconds to wait before asking again' },
      },
    ],
  },
  openApi: {
    method: 'GET',
    path: '/openapi.json',
    handler: openApi,
    summary: 'This OpenAPI document',
    responses: [{ status: 200, description: 'The OpenAPI 3.1 document', schema: { type: 'object' } }],
  },
  metrics: {
    method: 'GET',
    path: '/metrics',
    handler: metrics,
    scope: 'metrics:read',
    summary: 'Prometheus metrics of this process',
    responses: [
      {
        status: 200,
        description: 'The Prometheus text exposition format',
        schema: { type: 'string' },
        contentType: 'text/plain',
      },
    ],
  },
  listUsers: {
    method: 'GET',
    path: '/api/v1/users',
    handler: listUsersHandler,
    scope: 'users:read',
    summary: 'List users, one keyset page at a time',
    query: [
      { name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
      { name: 'cursor', schema: { type: 'string' }, description: '`next_cursor` of the previous page' },
    ],
    responses: [{ status: 200, description: 'A page of users', schema: 'UserPage' }],
    errors: ['VALIDATION_FAILED', 'DATABASE_UNAVAILABLE'],
  },
  createUser: {
    method: 'POST',
    path: '/api/v1/users',
    handler: createUser,
    scope: 'users:write',
    summary: 'Create a user',
    body: 'CreateUser',
    headers: [IDEMPOTENCY_KEY],
    responses: [{ ...user(201, 'Created'), headers: { ...ETAG, Location: 'The new user’s URL', ...REPLAYED } }],
    errors: BODY_WRITE_ERRORS,
  },
  getUserById: {
    method: 'GET',
    path: '/api/v1/users/id/:id',
    handler: getUserById,
    scope: 'users:read',
    summary: 'Get a user by id',
    headers: [IF_NONE_MATCH],
    responses: userRead,
    errors: ['VALIDATION_FAILED', 'USER_NOT_FOUND', 'DATABASE_UNAVAILABLE'],
  },
  getUserByUsername: {
    method: 'GET',
    path: '/api/v1/users/username/:username',
    handler: getUserByUsername,
    scope: 'users:read',
    summary: 'Get a user by username (case-insensitive)',
    headers: [IF_NONE_MATCH],
    responses: userRead,
    errors: ['VALIDATION_FAILED', 'USER_NOT_FOUND', 'DATABASE_UNAVAILABLE'],
  },
  patchUser: {
    method: 'PATCH',
    path: '/api/v1/users/id/:id',
    handler: patchUser,
    scope: 'users:write',
    summary: 'Change some of a user’s fields',
    body: 'PatchUser',
    headers: [IF_MATCH, IDEMPOTENCY_KEY],
    responses: [{ ...user(200, 'The updated user'), headers: { ...ETAG, ...REPLAYED } }],
    errors: [...BODY_WRITE_ERRORS, 'USER_NOT_FOUND', 'PRECONDITION_FAILED'],
  },
  deleteUser: {
    method: 'DELETE',
    path: '/api/v1/users/id/:id',
    handler: deleteUser,
    scope: 'users:write',
    summary: 'Delete a user (idempotent without If-Match)',
    headers: [IF_MATCH],
    responses: [{ status: 204, description: 'Deleted, or was already gone' }],
    errors: ['VALIDATION_FAILED', 'WRITE_CONFLICT', 'DATABASE_UNAVAILABLE', 'PRECONDITION_FAILED'],
  },
  // The API reference page (functions/docs/): public like the document, and not itself part of it. Last in the
  // table, so that API requests are matched before the router looks at these.
  docs: {
    method: 'GET',
    path: '/docs',
    handler: docsPage,
    undocumented: true,
    summary: 'Interactive API reference of /openapi.json (Swagger UI, served by the service itself)',
    responses: [{ status: 200, description: 'The page', schema: { type: 'string' }, contentType: 'text/html' }],
  },
  docsAsset: {
    method: 'GET',
    path: '/docs/:asset',
    handler: docsAsset,
    undocumented: true,
    summary: 'A script, stylesheet or icon of the /docs page, by name from an allow-list',
    responses: [{ status: 200, description: 'The file', schema: { type: 'string' } }],
  },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof routes;
