// Signals that end the process by default and that a program may catch, caught only to log before the end: the lines
// the logger holds for the end of the event loop's turn, and one naming the signal; then the signal ends the process
// as it would have. SIGTERM and SIGINT are not among them: they drain (functions/main.ts).
import type { Logger } from './logging';

/**
 * Not SIGUSR1 (Node's inspector), SIGUSR2 (the bench's heap sampler), SIGPROF or SIGTRAP (profilers and debuggers);
 * SIGSEGV, SIGBUS, SIGFPE and SIGILL leave nothing safe to run.
 */
export const FATAL_SIGNALS = ['SIGHUP', 'SIGQUIT', 'SIGALRM', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR'] as const;

/** Logs before any of FATAL_SIGNALS ends the process; returns what stops doing so. */
export function logBeforeFatalSignals(logger: Logger): () => void {
  const listeners = FATAL_SIGNALS.map((signal) => {
    const listener = () => {
      // Any line but a request's writes the pending request lines first, then itself (shared/logging.ts).
      logger.error('fatal signal received: exiting', { signal });
      // The once-listener is gone, so the default action applies again: the process ends as the signal says.
      process.kill(process.pid, signal);
    };
    process.once(signal, listener);
    return { signal, listener };
  });
  return () => {
    for (const { signal, listener } of listeners) process.off(signal, listener);
  };
}
