// The typed client's types (clients/typescript/src/schema.ts), generated with openapi-typescript from the OpenAPI
// document of the route table (the API-key variant, as callers see it). `npm run client:types` writes the file;
// `npm run client:types -- --check` (test/unit/client-types.test.ts) fails when it differs from what this renders.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { routes } from '../../../functions/routes';
import { openApiDocument } from '../../../shared/openapi';

export const CLIENT_TYPES_FILE = path.resolve(__dirname, '../src/schema.ts');

const HEADER = `// Generated from the usersvc OpenAPI document by openapi-typescript: do not edit. Regenerate with
// \`npm run client:types\` (test/unit/client-types.test.ts fails while this file and the document differ).
`;

export async function renderClientTypes(): Promise<string> {
  const document = openApiDocument(routes, { apiKeys: true, bearer: true }) as unknown as OpenAPI3;
  const ast = await openapiTS(document, { alphabetize: false, immutable: false, excludeDeprecated: false });
  const options = await resolveConfig(CLIENT_TYPES_FILE);
  return format(HEADER + astToString(ast), { ...options, filepath: CLIENT_TYPES_FILE });
}

// `--check`: exit 1, writing nothing, when the file is out of date (what the drift test runs: openapi-typescript
// needs require(esm), which Node has and Jest's module loader, before Node 24.9, does not).
if (require.main === module) {
  const check = process.argv.includes('--check');
  const relative = path.relative(process.cwd(), CLIENT_TYPES_FILE);
  void renderClientTypes().then((source) => {
    if (!check) {
      writeFileSync(CLIENT_TYPES_FILE, source);
      process.stdout.write(`wrote ${relative}\n`);
    } else if (readFileSync(CLIENT_TYPES_FILE, 'utf8') !== source) {
      process.stderr.write(`${relative} differs from the OpenAPI document: run \`npm run client:types\`\n`);
      process.exit(1);
    } else {
      process.stdout.write(`${relative} matches the OpenAPI document\n`);
    }
  });
}
