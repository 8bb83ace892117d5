// The process's one logger: Cloud Logging structured JSON on stdout (or a readable line with LOG_FORMAT=pretty).
import winston from 'winston';
import { config, type Config } from './config';

export type Logger = winston.Logger;

function transportFor(settings: Config): winston.transport {
  if (settings.logFormat === 'pretty') {
    return new winston.transports.Console({
      format: winston.format.combine(
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.colorize(),
        winston.format.printf(({ timestamp, level, message, httpRequest: _http, ...fields }) => {
          const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
          return `${String(timestamp)} ${level} ${String(message)}${extra}`;
        }),
      ),
    });
  }
  // Off GCP there is no metadata server: tell the client not to probe for one (it warns on every start otherwise).
  if (!settings.googleCloudProject) process.env.METADATA_SERVER_DETECTION ??= 'none';
  // Loaded only for JSON output: the Cloud Logging client is the heaviest module the service requires.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LoggingWinston } = require('@google-cloud/logging-winston') as typeof import('@google-cloud/logging-winston');
  return new LoggingWinston({
    redirectToStdout: true, // structured JSON on stdout, collected by the GKE logging agent
    useMessageField: false,
    projectId: settings.googleCloudProject ?? 'local',
    logName: 'usersvc',
  });
}

let instance: Logger | undefined;

export function logger(): Logger {
  instance ??= winston.createLogger({ level: config().logLevel, transports: [transportFor(config())] });
  return instance;
}

/** Flushes and closes the logger's transports; the last call at shutdown. */
export async function closeLogger(): Promise<void> {
  if (!instance) return;
  const current = instance;
  instance = undefined;
  await new Promise<void>((resolve) => {
    current.on('finish', () => resolve());
    current.end();
    setTimeout(resolve, 500).unref();
  });
}
