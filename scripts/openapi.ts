// Writes the OpenAPI document of the default route table (with API keys on, the fuller variant) to a file, for
// `redocly lint` in `npm run check`: `ts-node -T scripts/openapi.ts <file>`.
import { writeFileSync } from 'node:fs';
import { routes } from '../functions/routes';
import { openApiDocument } from '../shared/openapi';

const [file = 'openapi.json'] = process.argv.slice(2);
writeFileSync(file, `${JSON.stringify(openApiDocument(routes, { authRequired: true }), null, 2)}\n`);
