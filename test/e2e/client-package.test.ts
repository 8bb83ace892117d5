// The typed client (clients/typescript) as another service installs it: npm pack, npm install from the tarball, then
// require, import and type-check it from a fresh package. End to end (npm, node and tsc processes), so it is in the
// e2e suite (`npm run test:e2e`); the client's behaviour is tested in-process in test/integration/client.test.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/service';

const run = promisify(execFile);

describe('the client as another service installs it', () => {
  it('packs with its build, installs from the tarball, works from CommonJS and ESM, and type-checks in each module setting', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'usersvc-client-'));
    try {
      const clientDir = path.join(ROOT, 'clients/typescript');
      await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: clientDir });
      const tarball = readdirSync(work).find((name) => name.endsWith('.tgz')) as string;
      const consumer = path.join(work, 'consumer');
      await run('mkdir', [consumer]);
      writeFileSync(path.join(consumer, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}');
      await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, tarball)], {
        cwd: consumer,
      });
      const cjs = await run(
        process.execPath,
        ['-e', "const c = require('@usersvc/client'); console.log(typeof c.createUsersClient, c.ProblemError.name)"],
        { cwd: consumer },
      );
      expect(cjs.stdout.trim()).toBe('function ProblemError');
      const esm = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { createUsersClient } from '@usersvc/client'; console.log(typeof createUsersClient)",
        ],
        { cwd: consumer },
      );
      expect(esm.stdout.trim()).toBe('function');
      // And its types, from TypeScript: results are typed, and so are the error codes.
      writeFileSync(
        path.join(consumer, 'check.ts'),
        [
          "import { createUsersClient, ProblemError, type User } from '@usersvc/client';",
          "const users = createUsersClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });",
          'export async function byName(name: string): Promise<User | undefined> {',
          '  try {',
          '    return await users.getUserByUsername(name);',
          '  } catch (error) {',
          "    if (error instanceof ProblemError && error.code === 'USER_NOT_FOUND') return undefined;",
          '    throw error;',
          '  }',
          '}',
          '// @ts-expect-error not an error code of the API',
          "export const wrong = (error: ProblemError) => error.code === 'NO_SUCH_CODE';",
          '// @ts-expect-error username is required',
          "export const incomplete = () => users.createUser({ email: 'a@example.com', full_name: 'Ab Cd' });",
          '',
        ].join('\n'),
      );
      // In each module setting a consumer commonly has, with the declarations themselves checked (skipLibCheck off).
      const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
      const flags = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
      const settings = [
        ['--module', 'commonjs', '--moduleResolution', 'node10'],
        ['--module', 'node16'],
        ['--module', 'nodenext'],
        ['--module', 'esnext', '--moduleResolution', 'bundler'],
      ];
      const failures: string[] = [];
      for (const setting of settings) {
        await run(process.execPath, [tsc, ...flags, ...setting, 'check.ts'], { cwd: consumer }).catch(
          (error: { stdout?: string }) => failures.push(`${setting.join(' ')}:\n${error.stdout ?? String(error)}`),
        );
      }
      expect(failures).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
