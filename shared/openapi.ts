// The OpenAPI 3.1 document, built from the same zod schemas the handlers validate with and the error catalogue.
import { z } from 'zod';
import { errorCatalogue } from './errors';
import { createUserInput, patchUserInput } from './users/schemas';

const inputSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
};

const user = {
  type: 'object',
  required: ['id', 'username', 'email', 'full_name', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    username: { type: 'string' },
    email: { type: 'string', format: 'email' },
    full_name: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
};

const problem = {
  type: 'object',
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
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const userResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/User' } } },
});
const jsonBody = (ref: string) => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => {
      const titles = Object.values(errorCatalogue)
        .filter((e) => e.status === status)
        .map((e) => e.title);
      return [String(status), problemResponse(titles.join(' / '))];
    }),
  );
const common = errors(401, 403, 503);

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'usersvc', version: '1.0.0', description: 'Users API. Errors are RFC 9457 problem details.' },
    components: {
      schemas: {
        User: user,
        Problem: problem,
        CreateUser: inputSchema(createUserInput),
        PatchUser: inputSchema(patchUserInput),
      },
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/api/v1/users': {
        get: {
          summary: 'List users, one keyset page at a time',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
            {
              name: 'cursor',
              in: 'query',
              schema: { type: 'string' },
              description: 'next_cursor of the previous page',
            },
          ],
          responses: {
            '200': {
              description: 'A page of users',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      data: { type: 'array', items: { $ref: '#/components/schemas/User' } },
                      next_cursor: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
            ...errors(400),
            ...common,
          },
        },
        post: {
          summary: 'Create a user',
          requestBody: jsonBody('CreateUser'),
          responses: { '201': userResponse('Created; Location names it'), ...errors(400, 409, 413, 415), ...common },
        },
      },
      '/api/v1/users/id/{id}': {
        parameters: [idParameter],
        get: {
          summary: 'Get a user by id',
          responses: { '200': userResponse('The user'), ...errors(400, 404), ...common },
        },
        patch: {
          summary: 'Change some of a user’s fields',
          requestBody: jsonBody('PatchUser'),
          responses: { '200': userResponse('The updated user'), ...errors(400, 404, 409, 413, 415), ...common },
        },
        delete: {
          summary: 'Delete a user (idempotent)',
          responses: { '204': { description: 'Deleted, or was already gone' }, ...errors(400), ...common },
        },
      },
      '/api/v1/users/username/{username}': {
        parameters: [{ name: 'username', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          summary: 'Get a user by username (case-insensitive)',
          responses: { '200': userResponse('The user'), ...errors(400, 404), ...common },
        },
      },
      '/health': { get: { security: [], summary: 'Liveness', responses: { '200': { description: 'Serving' } } } },
      '/ready': {
        get: {
          security: [],
          summary: 'Readiness: the database answers and the process is not draining',
          responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready; body names the check' } },
        },
      },
    },
  };
}
