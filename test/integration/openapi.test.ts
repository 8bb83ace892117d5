// /openapi.json is the route table: every route is an operation and every operation a route, with the responses the
// pipeline adds (auth when it is on, 405, 503 with Retry-After), served publicly.
import { routes } from '../../functions/routes';
import type { Route } from '../../shared/http/types';
import { startTokenIssuer, TEST_AUDIENCE, type TokenIssuer } from '../../scripts/token-issuer';
import { startApp, useApp, type TestApp } from '../support/app';
import { call } from '../support/http';

interface Operation {
  operationId: string;
  security: unknown[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );
const KEY = 'openapi-key-0123456789';
const SAMPLE = { id: '00000000-0000-4000-8000-000000000000', username: 'nobodyhere' };

describe('the OpenAPI document with API keys on', () => {
  const service = useApp({ env: { API_KEY: KEY } });
  let document: Document;
  beforeAll(async () => {
    const reply = await call<Document>(service.url, 'GET', '/openapi.json');
    expect(reply.status).toBe(200); // public, like the probes
    document = reply.body;
  });

  it('lists exactly the documented routes of the route table, by method, path and operationId', () => {
    const documented = operations(document).map(
      ({ path, method, operation }) => `${operation.operationId} ${method} ${path}`,
    );
    const table = Object.entries(routes as Record<string, Route>)
      .filter(([, route]) => !route.undocumented)
      .map(([name, route]) => `${name} ${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(table.sort());
  });

  it('documents only operations the router serves', async () => {
    for (const { path, method } of operations(document)) {
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name as keyof typeof SAMPLE]);
      const reply = await call(service.url, method, concrete, { headers: { 'x-api-key': KEY } });
      expect([method, path, reply.body?.code]).not.toEqual([method, path, 'ROUTE_NOT_FOUND']);
      expect(reply.status).not.toBe(405);
    }
  });

  it('gives secured operations 401 and 403, and public ones neither', () => {
    for (const { operation } of operations(document)) {
      const isPublic = ['health', 'ready', 'openApi'].includes(operation.operationId);
      expect([operation.operationId, Object.keys(operation.responses).includes('401')]).toEqual([
        operation.operationId,
        !isPublic,
      ]);
      expect(Object.keys(operation.responses).includes('403')).toBe(!isPublic);
      expect(operation.security).toEqual(isPublic ? [] : [{ apiKey: [] }]);
    }
  });

  it('gives every operation 405 with Allow, and every database operation 503 with Retry-After', () => {
    for (const { path, operation } of operations(document)) {
      expect(operation.responses['405']?.headers).toHaveProperty('Allow');
      if (path.startsWith('/api/')) expect(operation.responses['503']?.headers).toHaveProperty('Retry-After');
    }
    expect(document.paths['/ready']?.get?.responses['503']?.headers).toHaveProperty('Retry-After');
  });

  it('gives every operation the refusals made before routing: 408, 413, and 400 for a transfer coding', () => {
    for (const { operation } of operations(document)) {
      expect([operation.operationId, Object.keys(operation.responses)]).toEqual([
        operation.operationId,
        expect.arrayContaining(['400', '408', '413']),
      ]);
      expect(JSON.stringify(operation.responses['400'])).toContain('UNSUPPORTED_TRANSFER_CODING');
    }
    const writes = [
      document.paths['/api/v1/users']?.post,
      document.paths['/api/v1/users/id/{id}']?.patch,
      document.paths['/api/v1/users/id/{id}']?.delete,
    ];
    for (const write of writes) expect(JSON.stringify(write?.responses['409'])).toContain('WRITE_CONFLICT');
  });

  it('documents the Location header of a create and the body limits of writes', () => {
    const create = document.paths['/api/v1/users']?.post;
    expect(create?.responses['201']?.headers).toHaveProperty('Location');
    for (const write of [create, document.paths['/api/v1/users/id/{id}']?.patch]) {
      expect(Object.keys(write?.responses ?? {})).toEqual(expect.arrayContaining(['400', '409', '413', '415']));
    }
  });
});

describe('the OpenAPI document with API keys off', () => {
  const service = useApp();

  it('asks for no key anywhere', async () => {
    const document = (await call<Document>(service.url, 'GET', '/openapi.json')).body;
    for (const { operation } of operations(document)) {
      expect(operation.security).toEqual([]);
      expect(Object.keys(operation.responses)).not.toContain('401');
    }
  });
});

describe('the OpenAPI document with bearer tokens and API keys on', () => {
  let issuer: TokenIssuer;
  let service: TestApp;
  let document: Document & { components: { securitySchemes: Record<string, { type: string; scheme?: string }> } };
  beforeAll(async () => {
    issuer = await startTokenIssuer();
    service = await startApp({ env: { AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: TEST_AUDIENCE, API_KEY: KEY } });
    document = (await call<typeof document>(service.url, 'GET', '/openapi.json')).body;
  });
  afterAll(async () => {
    await service?.close();
    await issuer?.close();
  });

  it('declares the bearer scheme beside the key, and each operation its scope under it', () => {
    expect(document.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey' },
    });
    for (const { operation } of operations(document)) {
      const scope = (routes as Record<string, Route>)[operation.operationId]?.scope;
      expect([operation.operationId, operation.security]).toEqual([
        operation.operationId,
        scope ? [{ bearer: [scope] }, { apiKey: [] }] : [],
      ]);
      if (!scope) continue;
      const codes = JSON.stringify(operation.responses);
      for (const code of ['AUTHENTICATION_REQUIRED', 'TOKEN_INVALID', 'INSUFFICIENT_SCOPE', 'CREDENTIALS_CONFLICT']) {
        expect([operation.operationId, codes.includes(code)]).toEqual([operation.operationId, true]);
      }
      expect(operation.responses['401']?.headers).toHaveProperty('WWW-Authenticate');
      expect(operation.responses['503']?.headers).toHaveProperty('Retry-After');
    }
  });
});
