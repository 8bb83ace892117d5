// Runs a write again when it lost a deadlock or serialization race to a concurrent one. Each statement is its own
// transaction, which PostgreSQL rolled back whole, so running it again is safe; one that keeps losing is a 409.
import { AppError, errors } from '../errors';
import { isWriteConflict } from './failures';

/** The first attempt and up to three retries. */
export const WRITE_ATTEMPTS = 4;
const BASE_DELAY_MS = 10;

const lostRace = (error: unknown) =>
  isWriteConflict(error) || (error instanceof AppError && error.code === 'WRITE_CONFLICT');

export async function retryWriteConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!lostRace(error)) throw error;
      if (attempt >= WRITE_ATTEMPTS) throw error instanceof AppError ? error : errors.writeConflict(error);
      // Jittered and growing (about 10, 20, 40 ms), so that the writers that deadlocked do not meet again in step.
      const delay = BASE_DELAY_MS * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
