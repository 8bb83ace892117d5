// GET /openapi.json : the app's OpenAPI document, built from its route table when the app was built.
import type { Handler } from '../shared/http/types';

export const openApi: Handler = async (_request, { openApiDocument }) => ({ status: 200, body: openApiDocument });
