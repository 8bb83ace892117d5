// The compatibility gate: the previous build's API suite passes on this build's schema, and a migration that build
// cannot live with (a column rename) fails the gate.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const GATE = path.join(ROOT, 'scripts/compat-gate.sh');

function gate(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [GATE, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('the compatibility gate', () => {
  it('passes: the build before the newest migration serves correctly on this build’s schema', async () => {
    const { code, output } = await gate();
    process.stdout.write(
      output
        .split('\n')
        .filter((line) => /^compat:|^Tests:/.test(line))
        .join('\n') + '\n',
    );
    expect([code, output]).toEqual([0, expect.any(String)]);
  });

  it('fails when a migration renames a column the serving build reads', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'usersvc-incompatible-'));
    try {
      for (const file of readdirSync(path.join(ROOT, 'migrations'))) {
        copyFileSync(path.join(ROOT, 'migrations', file), path.join(dir, file));
      }
      writeFileSync(
        path.join(dir, '9999999999999_rename-full-name.sql'),
        '-- Up Migration\nALTER TABLE users RENAME COLUMN full_name TO display_name;\n' +
          '-- Down Migration\nALTER TABLE users RENAME COLUMN display_name TO full_name;\n',
      );
      // HEAD's own suite against HEAD's schema plus the rename: what the serving build would meet after it ran.
      const { code, output } = await gate('--base', 'HEAD', '--migrations', dir);
      expect(code).not.toBe(0);
      expect(output).toMatch(/Tests:\s+\d+ failed/);
      expect(output).toMatch(/column "full_name" does not exist|DATABASE_UNAVAILABLE|SCHEMA_NOT_READY|500/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
