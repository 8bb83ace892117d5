// GET /ready : readiness. 200 only when not draining, the database answers within READY_TIMEOUT_MS, and its schema
// has the migration this build needs.
import { StatementTimeoutUnboundedError, TimeoutError } from '../../shared/db/timeout';
import { RETRY_AFTER_SECONDS } from '../../shared/http/limits';
import type { AppContext, Handler } from '../../shared/http/types';

async function checkDatabase({ db, config, logger }: AppContext): Promise<string> {
  try {
    await db.ping(config.readyTimeoutMs);
    return 'ok';
  } catch (error) {
    // The probe is public: say which check failed, keep hosts and driver messages for the log.
    if (error instanceof StatementTimeoutUnboundedError) {
      logger.warn('readiness check failed: behind a transaction-mode pooler the role needs a statement_timeout', {
        serverTimeoutMs: error.serverTimeoutMs,
        wantedAtMostMs: config.statementTimeoutMs,
        fix: 'ALTER ROLE <role> SET statement_timeout = <DB_STATEMENT_TIMEOUT_MS> (docs/RUNBOOK.md)',
      });
      return 'statement_timeout_unbounded';
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    logger.warn('readiness check failed', { error: cause instanceof Error ? cause.message : String(cause) });
    return error instanceof TimeoutError ? 'timeout' : 'unreachable';
  }
}

export const ready: Handler = async (_request, app) => {
  if (app.drain.isDraining()) return notReady({ shutdown: 'draining' });
  const database = await checkDatabase(app);
  if (database !== 'ok') return notReady({ database });
  // The migration this build needs is named in the log at start-up; the probe only says the schema is behind.
  const schema = (await app.schema.isCurrent().catch(() => false)) ? 'ok' : 'behind';
  if (schema !== 'ok') return notReady({ database, schema });
  return { status: 200, body: { status: 'ready', checks: { database, schema } } };
};

function notReady(checks: Record<string, string>) {
  return {
    status: 503,
    body: { status: 'not_ready', checks },
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' },
  };
}
