// The typed client's checked-in types are what openapi-typescript makes of the current OpenAPI document: a route,
// schema or error code changed without `npm run client:types` fails here. The check runs in its own Node process
// (see clients/typescript/scripts/generate-types.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from '../support/service';

const run = promisify(execFile);

describe('clients/typescript/src/schema.ts', () => {
  it('matches the OpenAPI document (regenerate with `npm run client:types`)', async () => {
    const check = run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'clients/typescript/scripts/generate-types.ts', '--check'],
      {
        cwd: ROOT,
      },
    );
    await expect(check).resolves.toMatchObject({ stdout: expect.stringContaining('matches the OpenAPI document') });
  }, 60_000);
});
