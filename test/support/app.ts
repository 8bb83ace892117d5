// The in-process harness: builds the app in the test process, as functions/main.ts does, on a fresh database, and
// serves it on an ephemeral port over a real node:http server, or through Functions Framework's own Express app.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { http as registerFunction } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { createApp, type App } from '../../functions/app';
import { loadConfig, type Config } from '../../shared/config';
import { openDatabase } from '../../shared/db';
import type { Database } from '../../shared/db/database';
import { embeddedDatabase } from '../../shared/db/embedded';
import { prepareEmbeddedDatabase } from '../../shared/db/embedded-setup';
import { adaptFrameworkApps } from '../../shared/http/framework';
import { closeServer, createFunctionServer } from '../../shared/http/server';
import { createLogger, type Logger } from '../../shared/logging';
import {
  createPostgresDatabase,
  emptyEmbeddedDatabase,
  serviceEnvironment,
  type Backend,
  type TestDatabase,
} from './database';
import { captureLogs, type LogCapture } from './logs';

/** node: as the production entrypoint serves; functions-framework: as `functions-framework --target` does. */
export type Via = 'node' | 'functions-framework';

export interface AppOptions {
  backend?: Backend;
  via?: Via;
  /** Environment for loadConfig (API_KEY, GOOGLE_CLOUD_PROJECT ...); a DATABASE_URL here replaces the backend. */
  env?: Record<string, string>;
  /** `api` (default) or a route's name, e.g. `createUser`. */
  target?: string;
  /** false: the database starts with no migration applied (the embedded one too), for the schema gate's tests. */
  migrated?: boolean;
  /** Builds the app's logger over the captured stream instead of createLogger (e.g. to also feed another). */
  logger?: (config: Config, stream: Writable) => Logger;
}

export interface TestApp extends Pick<LogCapture, 'logs' | 'output' | 'waitFor'> {
  url: string;
  app: App;
  /** Direct access to the app's database, for checks behind the API's back. */
  db: TestDatabase;
  close(): Promise<void>;
}

let registered = 0;

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

export async function startApp({
  backend = 'embedded',
  via = 'node',
  env = {},
  target = 'api',
  migrated = true,
  logger: makeLogger = createLogger,
}: AppOptions = {}) {
  const capture = captureLogs();
  const config = loadConfig({ LOG_LEVEL: 'info', ...env });
  const logger = makeLogger(config, capture.stream);

  let db: Database;
  let testDb: TestDatabase;
  if (env.DATABASE_URL) {
    db = await openDatabase(config, logger);
    const noAccess = () => Promise.reject(new Error('no direct access'));
    testDb = { query: noAccess, migrate: noAccess, rollback: noAccess, drop: () => Promise.resolve() };
  } else if (backend === 'postgres') {
    const postgres = await createPostgresDatabase({ migrated });
    testDb = postgres;
    db = await openDatabase(loadConfig({ ...env, ...serviceEnvironment(postgres.url) }), logger);
  } else {
    const embedded = await emptyEmbeddedDatabase();
    testDb = embedded;
    // The embedded default migrates and seeds itself; the worker's PGlite outlives the app.
    const prepared = migrated
      ? await prepareEmbeddedDatabase(embedded.pglite, logger)
      : embeddedDatabase(embedded.pglite);
    db = { ...prepared, close: () => Promise.resolve() };
  }

  const app = createApp({ config, db, logger });
  const fn = target === 'api' ? app.api : app.targets[target as keyof App['targets']];
  if (!fn) throw new Error(`no target ${target}`);
  let server: Server;
  if (via === 'functions-framework') {
    adaptFrameworkApps();
    const name = `${target}_${++registered}`;
    registerFunction(name, fn);
    server = getTestServer(name);
  } else {
    server = createFunctionServer(fn, { drain: app.context.drain, logger, config });
  }
  const url = await listen(server);

  const testApp: TestApp = {
    url,
    app,
    db: testDb,
    logs: capture.logs,
    output: capture.output,
    waitFor: capture.waitFor,
    async close() {
      const closed = closeServer(server);
      server.closeAllConnections();
      await closed;
      await db.close();
      await testDb.drop();
      await logger.close();
    },
  };
  return testApp;
}

/** Starts an app before the enclosing describe's tests and closes it after; its fields are set by then. */
export function useApp(options: AppOptions = {}): TestApp {
  const running = {} as TestApp;
  beforeAll(async () => {
    Object.assign(running, await startApp(options));
  });
  afterAll(async () => {
    await running.close?.();
  });
  return running;
}
