// Waiting on a drain: conditions polled until they hold, a stopped service's exit, and the checks that it drained
// cleanly (exit 0, the shutdown-complete log line, no forced close).
import { performance } from 'node:perf_hooks';
import type { Service } from '../../../support/service';

export const SHUTDOWN_COMPLETE = 'shutdown complete: server and database pool closed';
export const SHUTDOWN_TIMEOUT_REACHED = 'shutdown timeout reached; closing remaining connections';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 25 ms; fails once `timeoutMs` has passed without it holding. */
export async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Resolves with the exit code, or fails if the process outlives its shutdown deadline by far. */
export async function exitOf(service: Service, shutdownTimeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`service still running:\n${service.output().slice(-2000)}`)),
      shutdownTimeoutMs + 5000,
    );
  });
  try {
    return await Promise.race([service.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function expectDrainedCleanly(
  service: Service,
  code: number | null,
  exitedAfterMs: number,
  shutdownTimeoutMs: number,
): void {
  const messages = service.logs.map((line) => line.message);
  expect(messages).not.toContain(SHUTDOWN_TIMEOUT_REACHED);
  expect(messages).toContain(SHUTDOWN_COMPLETE);
  expect(code).toBe(0);
  expect(exitedAfterMs).toBeLessThan(shutdownTimeoutMs);
}
