// GET /ready : readiness. 200 only when not draining and the database answers within READY_TIMEOUT_MS.
import { config } from '../../shared/config';
import { database } from '../../shared/db';
import { RETRY_AFTER_SECONDS } from '../../shared/errors';
import { isDraining } from '../../shared/lifecycle';
import { logger } from '../../shared/logging';
import { TimeoutError } from '../../shared/db/timeout';
import type { Handler } from '../../shared/http/types';

async function checkDatabase(timeoutMs: number): Promise<string> {
  try {
    await (await database()).ping(timeoutMs);
    return 'ok';
  } catch (error) {
    // The probe is public: say which check failed, keep hosts and driver messages for the log.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    logger().warn('readiness check failed', { error: cause instanceof Error ? cause.message : String(cause) });
    return error instanceof TimeoutError ? 'timeout' : 'unreachable';
  }
}

export const ready: Handler = async () => {
  if (isDraining()) {
    return notReady({ shutdown: 'draining' });
  }
  const databaseCheck = await checkDatabase(config().readyTimeoutMs);
  if (databaseCheck !== 'ok') return notReady({ database: databaseCheck });
  return { status: 200, body: { status: 'ready', checks: { database: 'ok' } } };
};

function notReady(checks: Record<string, string>) {
  return {
    status: 503,
    body: { status: 'not_ready', checks },
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' },
  };
}
