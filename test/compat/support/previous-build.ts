// The previous build (scripts/previous-build.sh decides which commit) for the compat suite: checked out and compiled
// once by Jest's global setup, found by every run through COMPAT_PREVIOUS_BUILD, removed by the global teardown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(ROOT, 'scripts/previous-build.sh');
// Exit status of `previous-build.sh sha` when the newest migration came with the first commit.
const NO_EARLIER_BUILD = 3;

export interface PreviousBuild {
  /** Its worktree, compiled with its own `npm run build`. */
  dir: string;
  /** `<short sha> <subject>`, for the log. */
  commit: string;
  /** The migrations it has: its schema is these, applied in order. */
  migrationsDir: string;
  /** Its production entrypoint. */
  entrypoint: string;
}

function previousBuildScript(args: string[]): string {
  // stderr (git, npm, tsc) goes to the terminal; stdout is the answer.
  return execFileSync('bash', [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Jest global setup: checks out and compiles the previous build, or says why there is none. */
export function preparePreviousBuild(): void {
  if (!process.env.DATABASE_URL) return; // every compat run needs PostgreSQL, and skips without it
  let sha: string;
  try {
    sha = previousBuildScript(['sha']).trim();
  } catch (error) {
    if ((error as { status?: unknown }).status !== NO_EARLIER_BUILD) throw error;
    process.env.COMPAT_PREVIOUS_BUILD_MISSING = 'the newest migration came with the first commit';
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'usersvc-previous-build-'));
  try {
    previousBuildScript(['checkout', sha, dir, '--build']);
  } catch (error) {
    previousBuildScript(['remove', dir]);
    throw error;
  }
  // Read by the runs in this Jest process and its workers, and by scripts/compat-gate.sh, which reuses the worktree.
  process.env.COMPAT_PREVIOUS_BUILD = dir;
}

/** Jest global teardown. */
export function removePreviousBuild(): void {
  const dir = process.env.COMPAT_PREVIOUS_BUILD;
  if (dir) previousBuildScript(['remove', dir]);
}

/** The build prepared by the global setup; undefined (with the reason) when there is none to run. */
export function previousBuild(): { build?: PreviousBuild; missing?: string } {
  const dir = process.env.COMPAT_PREVIOUS_BUILD;
  if (!dir) return { missing: process.env.COMPAT_PREVIOUS_BUILD_MISSING ?? 'DATABASE_URL is not set' };
  const commit = execFileSync('git', ['-C', dir, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim();
  return {
    build: {
      dir,
      commit,
      migrationsDir: path.join(dir, 'migrations'),
      entrypoint: path.join(dir, 'dist/functions/main.js'),
    },
  };
}
