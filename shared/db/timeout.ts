// How a database ping fails short of an error of the driver's: past its deadline (bounded here without leaving a
// timer behind), or on a server with no statement timeout of its own.

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** /ready's answer when the server-side statement timeout is off or looser than DB_STATEMENT_TIMEOUT_MS. */
export class StatementTimeoutUnboundedError extends Error {
  constructor(readonly serverTimeoutMs: number) {
    super(`the server's statement_timeout is ${serverTimeoutMs} ms`);
    this.name = 'StatementTimeoutUnboundedError';
  }
}
