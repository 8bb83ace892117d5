// Deletes expired Idempotency-Key records in the background, a batch at a time through the created_at index, so the
// table holds about a day of keys and no pass reads the live rows. Lookups ignore an expired record anyway (see
// store.ts), so the sweep only bounds the table's size and its timing never changes an answer.
import type { Queryable } from '../db/database';
import { AppError } from '../errors';
import type { Logger } from '../logging';
import { sweepExpiredKeys } from './store';

export interface SweepOptions {
  /** The first pass, soon after start-up: a revision scaled from zero may never live to the second. */
  firstAfterMs?: number;
  everyMs?: number;
  /** Rows per DELETE: short statements that never hold many row locks at once. */
  batch?: number;
}

export interface KeySweep {
  /** Stops the timers and waits for a pass under way, so the pool can close after it. */
  stop(): Promise<void>;
}

/** One pass: batches until one comes back short; resolves the rows deleted. */
export async function sweepOnce(db: Queryable, batch: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const count = await sweepExpiredKeys(db, batch);
    deleted += count;
    if (count < batch) return deleted;
  }
}

export function startKeySweep(
  db: Queryable,
  logger: Logger,
  { firstAfterMs = 60_000, everyMs = 15 * 60_000, batch = 1000 }: SweepOptions = {},
): KeySweep {
  let running: Promise<void> | undefined;
  const pass = () => {
    running ??= sweepOnce(db, batch)
      .then(
        (deleted) => {
          if (deleted > 0) logger.info('expired idempotency keys deleted', { deleted });
        },
        (error: unknown) => {
          // Until the migration has run there is nothing to sweep; anything else is worth a look, not a crash.
          if (error instanceof AppError && error.code === 'SCHEMA_NOT_READY') return;
          logger.warn('idempotency key sweep failed; next pass will retry', {
            error: error instanceof Error ? error.message : String(error),
          });
        },
      )
      .finally(() => (running = undefined));
  };
  // unref: the timers never keep a process alive that has nothing else to do.
  const first = setTimeout(pass, firstAfterMs).unref();
  const every = setInterval(pass, everyMs).unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
