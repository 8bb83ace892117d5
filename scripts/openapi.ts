// Writes the OpenAPI document of the default route table (with API keys on, the fuller variant) to a file, for
// `redocly lint` in `npm run check`: `ts-node -T scripts/openapi.ts <file>`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { routes } from '../functions/routes';
import { openApiDocument } from '../shared/openapi';

const [file = 'openapi.json'] = process.argv.slice(2);
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(openApiDocument(routes, { apiKeys: true, bearer: true }), null, 2)}\n`);
