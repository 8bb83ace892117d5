// The OpenAPI 3.1 document, built from a route table: its paths, methods and operationIds are the router's own, the
// bodies and path parameters come from the zod schemas the handlers validate with, and the problem responses from
// the error catalogue (those a handler raises, plus those the pipeline gives every route).
import { z } from 'zod';
import { SCOPES } from './auth/scopes';
import { errorCatalogue, type ErrorCode } from './errors';
import type { Route, SuccessDoc } from './http/types';
import { RETRY_AFTER_SECONDS } from './http/limits';
import { PROBLEM_CONTENT_TYPE } from './http/problem';
import { createUserInput, patchUserInput, userId, username, userPage, userRepresentation } from './users/schemas';

/**
 * JSON Schema of a zod schema: of what it accepts (`input`, request bodies) or what it makes (`output`, responses).
 * A schema named in `refs` is written as a reference to that component instead of inline.
 */
const jsonSchemaOf = (
  schema: z.ZodType,
  io: 'input' | 'output' = 'input',
  refs: ReadonlyMap<unknown, string> = new Map(),
) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const component = refs.get(zodSchema);
      if (component === undefined) return;
      for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[key];
      jsonSchema.$ref = `#/components/schemas/${component}`;
    },
  });
  return rest;
};

// The path parameters the templates use, by name.
const pathParameterSchemas: Record<string, z.ZodType> = { id: userId, username };

// A function, not a constant: JSON Schema from zod is work for the first read of the document, not for start-up.
const componentSchemas = () => ({
  User: jsonSchemaOf(userRepresentation, 'output'),
  UserPage: jsonSchemaOf(userPage, 'output', new Map([[userRepresentation, 'User']])),
  CreateUser: jsonSchemaOf(createUserInput),
  PatchUser: jsonSchemaOf(patchUserInput),
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status', 'detail', 'code', 'request_id'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', enum: Object.keys(errorCatalogue) },
      request_id: { type: 'string' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['field', 'message'],
          properties: { field: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ready', 'not_ready'] },
      checks: {
        type: 'object',
        description: 'Each check and its outcome, e.g. {"database": "ok"}, {"shutdown": "draining"}',
        additionalProperties: { type: 'string' },
      },
    },
  },
});

const AUTH_CHALLENGE = {
  'WWW-Authenticate': {
    description: 'RFC 6750: `Bearer realm="usersvc"`, with `error` (and `scope`) where it applies',
    schema: { type: 'string' },
  },
};

// Headers a problem response carries, by code.
const problemHeaders: Partial<Record<ErrorCode, Record<string, object>>> = {
  CREDENTIALS_CONFLICT: AUTH_CHALLENGE,
  AUTHENTICATION_REQUIRED: AUTH_CHALLENGE,
  TOKEN_INVALID: AUTH_CHALLENGE,
  INSUFFICIENT_SCOPE: AUTH_CHALLENGE,
  IDENTITY_PROVIDER_UNAVAILABLE: {
    'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  },
  METHOD_NOT_ALLOWED: { Allow: { description: 'The methods this path accepts', schema: { type: 'string' } } },
  SCHEMA_NOT_READY: {
    'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  },
  IDEMPOTENCY_KEY_IN_USE: {
    'Retry-After': { description: 'Seconds to wait before sending it again', schema: { type: 'integer', example: 1 } },
  },
  DATABASE_UNAVAILABLE: {
    'Retry-After': {
      description: 'Seconds to wait before retrying',
      schema: { type: 'integer', example: RETRY_AFTER_SECONDS },
    },
  },
};

const schemaRef = (schema: string | object) =>
  typeof schema === 'string' ? { $ref: `#/components/schemas/${schema}` } : schema;

function successResponse(response: SuccessDoc) {
  const headers = Object.entries(response.headers ?? {}).map(([name, description]) => [
    name,
    { description, schema: name === 'Retry-After' ? { type: 'integer' } : { type: 'string' } },
  ]);
  return {
    description: response.description,
    ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
    ...(response.schema === undefined
      ? {}
      : { content: { [response.contentType ?? 'application/json']: { schema: schemaRef(response.schema) } } }),
  };
}

/** One response per status, naming every code that status stands for. */
function problemResponses(codes: readonly ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes)
    byStatus.set(errorCatalogue[code].status, [...(byStatus.get(errorCatalogue[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      String(status),
      {
        description: group.map((code) => `${errorCatalogue[code].title} (\`${code}\`)`).join('; '),
        headers: Object.assign({}, ...group.map((code) => problemHeaders[code] ?? {})) as Record<string, object>,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
}

/** Which credentials the service takes: the document declares those, each operation with its scope. */
export interface AuthSchemes {
  apiKeys: boolean;
  bearer: boolean;
}

// What the pipeline answers about credentials, by the kinds the service takes.
function authCodes({ apiKeys, bearer }: AuthSchemes): ErrorCode[] {
  return [
    ...(apiKeys ? (['API_KEY_MISSING', 'API_KEY_INVALID'] as const) : []),
    ...(bearer ? (['AUTHENTICATION_REQUIRED', 'TOKEN_INVALID', 'IDENTITY_PROVIDER_UNAVAILABLE'] as const) : []),
    ...(apiKeys && bearer ? (['CREDENTIALS_CONFLICT'] as const) : []),
    ...(apiKeys || bearer ? (['INSUFFICIENT_SCOPE'] as const) : []),
  ];
}

function operation(name: string, route: Route, auth: AuthSchemes) {
  const scopes = route.scope === undefined ? [] : [route.scope];
  const security = [
    ...(auth.bearer && route.scope ? [{ bearer: scopes }] : []),
    ...(auth.apiKeys && route.scope ? [{ apiKey: [] }] : []),
  ];
  // What the pipeline itself answers: credentials and scope when auth is on, 405 on a path's other methods, and a body refused
  // before routing whatever the method (too large, too slow to arrive, a transfer coding other than chunked); and
  // what the server answers for a request its HTTP parser refuses (shared/http/client-errors.ts).
  const codes: ErrorCode[] = [
    ...new Set<ErrorCode>([
      ...(route.errors ?? []),
      ...(route.scope ? authCodes(auth) : []),
      'METHOD_NOT_ALLOWED',
      'REQUEST_TIMEOUT',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_TRANSFER_CODING',
      'MALFORMED_REQUEST',
      'HEADERS_TOO_LARGE',
      // A route that reads the database also waits for its schema (shared/db/schema.ts).
      ...(route.errors?.includes('DATABASE_UNAVAILABLE') ? (['SCHEMA_NOT_READY'] as const) : []),
    ]),
  ];
  const parameters = [
    ...[...route.path.matchAll(/:(\w+)/g)].map(([, param]) => ({
      name: param as string,
      in: 'path',
      required: true,
      schema: jsonSchemaOf(pathParameterSchemas[param as string] ?? z.string()),
    })),
    ...(route.query ?? []).map((parameter) => ({ in: 'query', required: false, ...parameter })),
    ...(route.headers ?? []).map((header) => ({
      in: 'header',
      required: false,
      schema: { type: 'string' },
      ...header,
    })),
  ];
  return {
    operationId: name,
    summary: route.summary,
    tags: [route.path.startsWith('/api/') ? 'users' : 'operations'],
    security,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaRef(route.body) } } } }
      : {}),
    responses: {
      ...Object.fromEntries(route.responses.map((response) => [String(response.status), successResponse(response)])),
      ...problemResponses(codes),
    },
  };
}

const scopeList = Object.entries(SCOPES)
  .map(([scope, what]) => `\`${scope}\` (${what.toLowerCase()})`)
  .join(', ');

// OpenAPI 3.1 lets a non-OAuth scheme's requirement list roles: an operation lists its scope under bearer (a key's
// scopes are the operator's setting, not the caller's choice).
const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: `An access token (or Google ID token) from the service's identity provider. Scopes: ${scopeList}.`,
  },
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      'A key the operator gave you; also accepted as `Authorization: ApiKey <key>` (for Prometheus). A named key ' +
      'holds the scopes it was given, an unnamed one all of them. Send a key or a token, not both.',
  },
};

/** The document for these routes, less the undocumented; with auth on, operations declare the scope they need. */
export function openApiDocument(routes: Record<string, Route>, auth: AuthSchemes) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, route] of Object.entries(routes)) {
    if (route.undocumented) continue;
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(name, route, auth) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'usersvc',
      version: '1.0.0',
      description: 'Users API. Errors are RFC 9457 problem details (`application/problem+json`).',
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-UNLICENSED' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'users', description: 'The users API' },
      { name: 'operations', description: 'Probes, metrics and this document' },
    ],
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        ...(auth.bearer && { bearer: securitySchemes.bearer }),
        ...(auth.apiKeys && { apiKey: securitySchemes.apiKey }),
      },
    },
    paths,
  };
}
