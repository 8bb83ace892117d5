// Which core each process of the bench runs on. Unpinned, the kernel placed the servers differently from one start to
// the next, and the server started first paid more (bench/README.md, Findings); pinned (the servers to the last core,
// wrk to the first; PostgreSQL free to use both), neither gains from its place in the start order. Linux's taskset
// (util-linux) does it.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Pinning {
  /** The core every server under test runs on. */
  serverCpu: number;
  /** The core wrk runs on. */
  clientCpu: number;
}

let decided: Pinning | null = null;

/**
 * Decides the pinning for this run, once, before any server starts: null when it is off (--unpinned), there is one
 * core, or taskset is missing.
 */
export function decidePinning(enabled: boolean): Pinning | null {
  const cores = os.cpus().length;
  let taskset: boolean;
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    taskset = true;
  } catch {
    taskset = false;
  }
  decided = enabled && cores >= 2 && taskset ? { serverCpu: cores - 1, clientCpu: 0 } : null;
  return decided;
}

/** The pinning decidePinning chose (null before it ran: nothing is pinned). */
export const pinning = (): Pinning | null => decided;

/** The command and arguments that run `command args` on `cpu`, or as they are without pinning. */
export function onCpu(cpu: number | undefined, command: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];
}
