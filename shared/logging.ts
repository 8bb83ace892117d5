// The process's one logger: Cloud Logging structured JSON lines on stdout (or readable lines with LOG_FORMAT=pretty).
import winston from 'winston';
import { config, type Config } from './config';

export type Logger = winston.Logger;

// winston writes the finished line kept under this registered symbol (see triple-beam).
const MESSAGE = Symbol.for('message');

const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };

/**
 * The structured format that Cloud Logging's agent on GKE and Cloud Run parses from stdout: `severity`,
 * `message`, `time`, `httpRequest`, `logging.googleapis.com/trace` and `/spanId` become the entry's own fields,
 * the rest its jsonPayload. One JSON.stringify per line: the request log is on every request's path.
 */
export const cloudLoggingFormat = winston.format((info) => {
  const { level, message, ...fields } = info;
  const line = { severity: SEVERITY[level] ?? 'DEFAULT', message, time: new Date().toISOString(), ...fields };
  (info as Record<symbol, unknown>)[MESSAGE] = JSON.stringify(line);
  return info;
});

const prettyFormat = winston.format.combine(
  winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
  winston.format.colorize(),
  winston.format.printf(({ timestamp, level, message, httpRequest: _http, ...fields }) => {
    const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    return `${String(timestamp)} ${level} ${String(message)}${extra}`;
  }),
);

function createLogger(settings: Config): Logger {
  return winston.createLogger({
    level: settings.logLevel,
    format: settings.logFormat === 'pretty' ? prettyFormat : cloudLoggingFormat(),
    transports: [new winston.transports.Console()],
  });
}

let instance: Logger | undefined;

export function logger(): Logger {
  instance ??= createLogger(config());
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
