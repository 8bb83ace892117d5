// GET /openapi.json : the API's OpenAPI document, built once from the shared schemas.
import { openApiDocument } from '../shared/openapi';
import type { Handler } from '../shared/http/types';

let document: ReturnType<typeof openApiDocument> | undefined;

export const openApi: Handler = async () => {
  document ??= openApiDocument();
  return { status: 200, body: document };
};
