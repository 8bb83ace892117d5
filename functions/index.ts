// Functions Framework's entry (`functions-framework --source=dist/functions/index.js --target=<name>`): builds the
// default app from the environment and registers `api` plus one target per route, e.g. `--target=createUser`.
import { http } from '@google-cloud/functions-framework';
import { loadConfig } from '../shared/config';
import { lazyDatabase, openDatabase } from '../shared/db';
import { adaptFrameworkApps } from '../shared/http/framework';
import { createLogger } from '../shared/logging';
import { createApp } from './app';

const config = loadConfig();
const logger = createLogger(config);
// The framework loads this module synchronously: the database (PGlite migrates first) opens on the first request.
const app = createApp({ config, logger, db: lazyDatabase(() => openDatabase(config, logger)) });

adaptFrameworkApps();
http('api', app.api);
for (const [name, fn] of Object.entries(app.targets)) http(name, fn);
