// The production entrypoint (the image's CMD): serves the `api` target on PORT and drains on SIGTERM/SIGINT.
import { ConfigError, config } from '../shared/config';
import { closeDatabase, database } from '../shared/db';
import { closeServer, createFunctionServer } from '../shared/http/server';
import { startDraining } from '../shared/lifecycle';
import { closeLogger, logger } from '../shared/logging';
import './index';
import { targets } from './targets';

async function main(): Promise<void> {
  const settings = config();
  const log = logger();
  // The embedded database migrates and seeds before serving; a pool connects on first use instead,
  // so a PostgreSQL that is down at start-up only keeps /ready at 503 until it appears.
  await database();

  const server = createFunctionServer({ name: 'api', fn: targets.api }, settings.serveVia);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  log.info('usersvc listening', {
    port,
    database: settings.database.kind,
    serveVia: settings.serveVia,
    node: process.version,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    startDraining();
    log.info('shutdown started: draining in-flight requests', { signal });
    let forced = false;
    const deadline = setTimeout(() => {
      forced = true;
      log.warn('shutdown timeout reached; closing remaining connections', { timeoutMs: settings.shutdownTimeoutMs });
      server.closeAllConnections();
    }, settings.shutdownTimeoutMs);
    deadline.unref();
    if (settings.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.shutdownDelayMs));
    await closeServer(server);
    clearTimeout(deadline);
    await closeDatabase();
    // Still exit 0 (the orchestrator asked us to stop, and we did), but say plainly that the drain did not finish.
    if (forced) log.warn('shutdown complete after the timeout: some connections were closed mid-request', { signal });
    else log.info('shutdown complete: server and database pool closed', { signal });
    await closeLogger();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

// A closed stdout (the log reader went away) must not take the service down with it.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.on('unhandledRejection', (reason) => {
  logger().error('unhandled promise rejection', { error: reason instanceof Error ? reason.stack : String(reason) });
});

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`usersvc failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
