// Checks a response against the app's OpenAPI document: the operation its method and path name, the status, and the
// schema of its content type. test/support/http.ts runs it on every response a test receives, so a field the handlers
// send but the document leaves out (or the reverse) fails the HTTP tests, not only the OpenAPI test.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { routes } from '../../functions/routes';
import { openApiDocument } from '../../shared/openapi';

interface MediaType {
  schema?: object;
}
interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, MediaType> }>;
}

// With the API key on: every operation then also lists the key's problems.
const document = openApiDocument(routes, { apiKeys: true, bearer: true }) as unknown as {
  paths: Record<string, Record<string, Operation>>;
};
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(document, 'openapi.json');

const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
}));

const validators = new WeakMap<object, ValidateFunction>();
function validatorOf(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    const ref = (schema as { $ref?: string }).$ref;
    // A component is compiled inside the document, so that its own references resolve.
    validate = ref?.startsWith('#/') ? ajv.getSchema(`openapi.json${ref}`) : ajv.compile(schema);
    if (!validate) throw new Error(`the OpenAPI document has no ${ref}`);
    validators.set(schema, validate);
  }
  return validate;
}

/** The operation the document has for this method and path (query left off), if any. */
function operationOf(method: string, path: string): { template: string; operation: Operation } | undefined {
  const bare = path.split('?')[0] as string;
  for (const { template, pattern } of templates) {
    const operation = document.paths[template]?.[method.toLowerCase()];
    if (operation && pattern.test(bare)) return { template, operation };
  }
  return undefined;
}

/**
 * Throws when a JSON or problem body does not match what the document says this operation answers with this status.
 * Bodies of paths the document does not describe (a target at `/`, an unknown path) are checked only if problems.
 */
export function checkAgainstOpenApi(
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
): void {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body === undefined || !/^application\/(problem\+)?json$/.test(mediaType)) return;
  // A server that does not route this path (a per-route target serves one operation) answers as no operation.
  const unrouted = (body as { code?: unknown } | null)?.code === 'ROUTE_NOT_FOUND';
  const found = unrouted ? undefined : operationOf(method, path);
  const where = `${method} ${path} -> ${status}`;
  let schema: object | undefined;
  if (found) {
    const response = found.operation.responses[String(status)];
    if (!response) throw new Error(`${where}: ${found.operation.operationId} documents no ${status} response`);
    schema = response.content?.[mediaType]?.schema;
    if (!schema) throw new Error(`${where}: ${found.operation.operationId} documents no ${mediaType} for ${status}`);
  } else if (mediaType === 'application/problem+json') {
    schema = { $ref: '#/components/schemas/Problem' };
  } else {
    return;
  }
  const validate = validatorOf(schema);
  if (!validate(body)) {
    throw new Error(
      `${where}: the body does not match the OpenAPI document${found ? ` (${found.operation.operationId})` : ''}: ` +
        `${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}
