// Builds a logger: Cloud Logging structured JSON lines on a stream (stdout in production), or readable lines with
// LOG_FORMAT=pretty. The entrypoint makes one and closes it; a test makes its own over a stream it reads.
import type { Writable } from 'node:stream';
import winston from 'winston';
import type { Config } from './config';

type Level = Config['logLevel'];

export interface Logger {
  error(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
  info(message: string, fields?: object): void;
  debug(message: string, fields?: object): void;
  /** The one line per request; cheaper than the others, see createLogger. */
  request(level: 'info' | 'warn' | 'error', message: string, fields: object): void;
  /** Flushes and closes the transports; the last call at shutdown. */
  close(): Promise<void>;
}

// winston writes the finished line kept under this registered symbol (see triple-beam).
const MESSAGE = Symbol.for('message');
const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };
const RANK: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * One line in the structured format that Cloud Logging's agent on GKE and Cloud Run parses from stdout:
 * `severity`, `message`, `time`, `httpRequest`, `logging.googleapis.com/trace` and `/spanId` become the entry's
 * own fields, the rest its jsonPayload.
 */
function structuredLine(level: string, message: unknown, fields: object): string {
  return JSON.stringify({ severity: SEVERITY[level] ?? 'DEFAULT', message, time: new Date().toISOString(), ...fields });
}

const cloudLoggingFormat = winston.format((info) => {
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

export function createLogger(
  settings: Pick<Config, 'logLevel' | 'logFormat'>,
  stream: Writable = process.stdout,
): Logger {
  const pretty = settings.logFormat === 'pretty';
  const winstonLogger = winston.createLogger({
    level: settings.logLevel,
    format: pretty ? prettyFormat : cloudLoggingFormat(),
    transports: [new winston.transports.Stream({ stream })],
  });
  const enabled = (level: Level) => RANK[level] <= RANK[settings.logLevel];
  const at = (level: Level) => (message: string, fields?: object) => winstonLogger.log(level, message, fields);
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    // On every request's path, winston's stream pipeline measured about 20 µs a line (see bench/README.md), so in
    // JSON mode the line is formatted exactly as winston's lines are and written to the stream directly.
    request(level, message, fields) {
      if (!enabled(level)) return;
      if (pretty) winstonLogger.log(level, message, fields);
      else stream.write(`${structuredLine(level, message, fields)}\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        winstonLogger.on('finish', () => resolve());
        winstonLogger.end();
        setTimeout(resolve, 500).unref();
      }),
  };
}
