// The service's compile cache as the image has it: filled by scripts/compile-cache.ts (the Dockerfile's compile-cache
// stage) with the node and NODE_OPTIONS the servers run with, into a fresh folder per run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './processes';

export const COMPILE_CACHE_SCRIPT = path.join(ROOT, 'dist/scripts/compile-cache.js');

/** Fills a new compile cache folder for `node` and returns it, with what the script said. */
export function fillCompileCache(node: string, env: Record<string, string>): { dir: string; said: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'usersvc-compile-cache-'));
  const said = execFileSync(node, [COMPILE_CACHE_SCRIPT], {
    cwd: ROOT,
    env: { ...env, NODE_COMPILE_CACHE: dir },
    encoding: 'utf8',
  }).trim();
  return { dir, said };
}
