// The process's one logger: Cloud Logging structured JSON lines on stdout (or readable lines with LOG_FORMAT=pretty).
import winston from 'winston';
import { config, type Config } from './config';

export type Logger = winston.Logger;

// winston writes the finished line kept under this registered symbol (see triple-beam).
const MESSAGE = Symbol.for('message');

const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };

/**
 * One line in the structured format that Cloud Logging's agent on GKE and Cloud Run parses from stdout:
 * `severity`, `message`, `time`, `httpRequest`, `logging.googleapis.com/trace` and `/spanId` become the entry's
 * own fields, the rest its jsonPayload.
 */
function structuredLine(level: string, message: unknown, fields: object): string {
  return JSON.stringify({ severity: SEVERITY[level] ?? 'DEFAULT', message, time: new Date().toISOString(), ...fields });
}

export const cloudLoggingFormat = winston.format((info) => {
  const { level, message, ...fields } = info;
  (info as Record<symbol, unknown>)[MESSAGE] = structuredLine(level, message, fields);
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

/**
 * Writes the one line per request. It is on every request's path, and winston's stream pipeline measured about
 * 20 µs a line (npm run bench -- --diagnose), so in JSON mode the line is formatted exactly as winston's lines are
 * and written to stdout directly; pretty mode goes through winston.
 */
export function logRequest(level: 'info' | 'warn' | 'error', message: string, fields: object): void {
  const log = logger();
  if (!log.isLevelEnabled(level)) return;
  if (config().logFormat === 'pretty') {
    log.log(level, message, fields);
    return;
  }
  process.stdout.write(`${structuredLine(level, message, fields)}\n`);
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
