// The app factory: given its configuration, database and logger, builds the `api` function (every route, the
// target Knative serves) and one function per route. Nothing here reads the environment or holds process state:
// functions/main.ts and functions/index.ts build the app from the environment, and each test builds its own.
import { createAuthenticator } from '../shared/auth/authenticate';
import type { Config } from '../shared/config';
import type { Database } from '../shared/db/database';
import { createDrain, type Drain } from '../shared/drain';
import type { Logger } from '../shared/logging';
import { createMetrics } from '../shared/metrics';
import { createSchemaCheck, schemaGated } from '../shared/db/schema';
import { openApiDocument } from '../shared/openapi';
import { servePipeline, type HttpFunction } from '../shared/http/pipeline';
import type { AppContext, Route } from '../shared/http/types';
import { routes, type RouteName } from './routes';

export interface AppDependencies {
  config: Config;
  db: Database;
  logger: Logger;
  /** Started by the owner of the process on SIGTERM; a fresh one by default. */
  drain?: Drain;
}

export interface App {
  /** Every route in one function: the target Knative serves. */
  api: HttpFunction;
  /**
   * Each route alone, e.g. `createUser` serves POST /api/v1/users (405 to its path's other methods). Deployed alone a
   * target is reached at its function URL, so it also answers at `/` followed by its path parameters (`/:id`).
   */
  targets: Record<RouteName, HttpFunction>;
  /** What the handlers were given: the dependencies, the drain, this app's metrics and OpenAPI document. */
  context: AppContext;
}

export function createApp({ config, db, logger, drain = createDrain() }: AppDependencies): App {
  const table: Record<RouteName, Route> = routes;
  const schema = createSchemaCheck(db);
  const auth = createAuthenticator(config, logger);
  let document: object | undefined;
  const context: AppContext = {
    config,
    // Handlers get the database behind the schema check: 503 SCHEMA_NOT_READY until it is migrated far enough.
    db: schemaGated(db, schema),
    schema,
    logger,
    drain,
    metrics: createMetrics(() => db.stats()),
    auth,
    // Built at its first use, once: generating it (JSON Schema from zod) is start-up work no probe needs.
    get openApiDocument() {
      document ??= openApiDocument(table, auth.schemes);
      return document;
    },
  };
  const names = Object.keys(table) as RouteName[];
  const alone = (route: Route) => [route, { ...route, path: `/${[...route.path.matchAll(/:\w+/g)].join('/')}` }];
  return {
    api: servePipeline(Object.values(table), context),
    targets: Object.fromEntries(names.map((name) => [name, servePipeline(alone(table[name]), context)])) as Record<
      RouteName,
      HttpFunction
    >,
    context,
  };
}
