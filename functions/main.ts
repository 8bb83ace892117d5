// The production entrypoint (the image's CMD): reads the configuration, opens the database, serves the app's `api`
// function on PORT with node:http, and drains on SIGTERM/SIGINT. Process concerns only; the app is functions/app.ts.
import { ConfigError, loadConfig } from '../shared/config';
import { openDatabase } from '../shared/db';
import { logBeforeFatalSignals } from '../shared/fatal-signals';
import { closeServer, createFunctionServer } from '../shared/http/server';
import { startKeySweep } from '../shared/idempotency/sweep';
import { createLogger } from '../shared/logging';
import { createApp } from './app';

// Node's own metrics (prom-client) start this long after listening, once the requests that waited for a scale from
// zero are answered, or at the first scrape if that comes sooner.
const PROCESS_METRICS_DELAY_MS = 2000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  // An uncaught exception ends the process through 'exit', which writes the pending request lines (shared/logging.ts);
  // a fatal signal would end it with none of that, so those are caught to log first.
  logBeforeFatalSignals(logger);
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection', { error: reason instanceof Error ? reason.stack : String(reason) });
  });
  // The embedded database migrates and seeds before serving; a pool connects on first use instead,
  // so a PostgreSQL that is down at start-up only keeps /ready at 503 until it appears.
  const db = await openDatabase(config, logger);
  const app = createApp({ config, db, logger });
  const { drain, schema } = app.context;
  // Said once at start-up; until then /ready is 503 and the API 503 SCHEMA_NOT_READY (a database that is down now is
  // /ready's to report).
  schema.isCurrent().then(
    (current) => {
      if (!current) {
        logger.warn('database schema is behind this build: run `npm run migrate up`', {
          missingMigration: schema.required,
        });
      }
    },
    () => undefined,
  );

  const sweep = startKeySweep(app.context.db, logger);
  // The identity provider's keys, fetched before the first token needs them (logs a warning if it is unreachable).
  void app.context.auth.warm();

  const server = createFunctionServer(app.api, { drain, logger, config });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info('usersvc listening', { port, database: config.database.kind, node: process.version });
  setTimeout(() => app.context.metrics.startProcessMetrics(), PROCESS_METRICS_DELAY_MS).unref();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    drain.start();
    logger.info('shutdown started: draining in-flight requests', { signal });
    let forced = false;
    const deadline = setTimeout(() => {
      forced = true;
      logger.warn('shutdown timeout reached; closing remaining connections', { timeoutMs: config.shutdownTimeoutMs });
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
    await closeServer(server);
    clearTimeout(deadline);
    await sweep.stop();
    await db.close();
    // Still exit 0 (the orchestrator asked us to stop, and we did), but say plainly that the drain did not finish.
    if (forced)
      logger.warn('shutdown complete after the timeout: some connections were closed mid-request', { signal });
    else logger.info('shutdown complete: server and database pool closed', { signal });
    await logger.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

// Serves only when it is the program (the image's CMD); the image build loads it without serving to fill the compile
// cache (scripts/compile-cache.ts).
if (require.main?.filename === __filename) {
  // A closed stdout (the log reader went away) must not take the service down with it.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });

  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`usersvc failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exit(1);
  });
}
