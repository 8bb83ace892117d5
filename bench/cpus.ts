// Which core each process of the bench runs on. Unpinned, the kernel placed the servers differently from one start to
// the next: two copies of the same server, started one after the other, differed by 0.5–1.4 µs of CPU a request
// (the one started first paying more) in paired rounds, enough to move a ratio by 4%. Pinned (the servers to the last
// core, wrk to the first; PostgreSQL free to use both), the two copies measured the same within the noise, so neither
// the service nor the baseline gains from its place in the start order. Linux's taskset (util-linux) does it.
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
