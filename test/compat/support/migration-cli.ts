// This build's migration CLI (`npm run migrate up` without the build step), run as the release's migration Job runs
// it, and the migrations it is expected to apply on top of an older build's schema.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../../support/service';

export interface MigrationRun {
  code: number;
  output: string;
  tookMs: number;
}

/** `node dist/scripts/migrate.js up` against this database; resolves when the process has exited. */
export function migrateUp(databaseUrl: string): Promise<MigrationRun> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'dist/scripts/migrate.js'), 'up'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}`, tookMs: performance.now() - startedAt });
      },
    );
  });
}

const migrationNames = (dir: string) =>
  readdirSync(dir)
    .filter((file) => /^\d+_.+\.(sql|js)$/.test(file))
    .map((file) => file.replace(/\.(sql|js)$/, ''));

/** The migrations this checkout has that `olderDir` has not: what migrating from the older build's schema applies. */
export function migrationsSince(olderDir: string): string[] {
  const older = new Set(migrationNames(olderDir));
  return migrationNames(path.join(ROOT, 'migrations'))
    .filter((name) => !older.has(name))
    .sort();
}
