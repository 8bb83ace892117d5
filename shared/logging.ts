// Builds a logger: Cloud Logging structured JSON lines on a stream (stdout in production), or, through winston
// (shared/logging-winston.ts, loaded only then), readable lines with LOG_FORMAT=pretty or entries sent to the Cloud
// Logging API with LOG_TARGET=cloud-logging. The entrypoint makes one and closes it; a test makes its own over a
// stream it reads.
import type { Writable } from 'node:stream';
import type { Config } from './config';

export type Level = Config['logLevel'];

export interface Logger {
  error(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
  info(message: string, fields?: object): void;
  debug(message: string, fields?: object): void;
  /**
   * The one line per request (shared/access-log.ts), written with the rest of its event-loop turn, see createLogger.
   * A `stack` field makes it an Error Reporting event: the stack becomes its message (see errorEvent).
   */
  request(level: 'info' | 'warn' | 'error', message: string, fields: object): void;
  /** Flushes and closes the transports; the last call at shutdown. */
  close(): Promise<void>;
}

export type LoggerSettings = Pick<Config, 'logLevel' | 'logFormat'> &
  Partial<Pick<Config, 'logTarget' | 'googleCloudProject' | 'serviceName' | 'serviceRevision'>> & {
    /** LOG_TARGET=cloud-logging only: LoggingWinston writes its entries to stdout instead of the API (tests). */
    redirectToStdout?: boolean;
  };

const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };
const RANK: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Error Reporting takes a log entry with this `@type` as a ReportedErrorEvent (its `message`, `serviceContext`...). */
export const REPORTED_ERROR_EVENT =
  'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent';
export const LABELS_KEY = 'logging.googleapis.com/labels';

export interface HttpRequestFields {
  requestMethod?: string;
  requestUrl?: string;
  status?: number;
  userAgent?: string;
  remoteIp?: string;
  latency?: string | { seconds: number; nanos: number };
}
export type Fields = { stack?: unknown; httpRequest?: HttpRequestFields } & Record<string, unknown>;

/**
 * The fields that make a line an Error Reporting event, in the ReportedErrorEvent form
 * (https://cloud.google.com/error-reporting/docs/formatting-error-messages): `message` is the stack exactly as V8
 * wrote it (the JavaScript form Error Reporting parses and groups by), `serviceContext` names the service and
 * revision, `context.httpRequest` the request, in Error Reporting's own field names.
 */
function errorEvent(stack: string, httpRequest: HttpRequestFields | undefined, serviceContext: object) {
  return {
    message: stack,
    '@type': REPORTED_ERROR_EVENT,
    serviceContext,
    ...(httpRequest && {
      context: {
        httpRequest: {
          method: httpRequest.requestMethod,
          url: httpRequest.requestUrl,
          userAgent: httpRequest.userAgent,
          responseStatusCode: httpRequest.status,
          remoteIp: httpRequest.remoteIp,
        },
      },
    }),
  };
}

export function createLogger(settings: LoggerSettings, stream: Writable = process.stdout): Logger {
  const serviceContext = { service: settings.serviceName ?? 'usersvc', version: settings.serviceRevision };
  // On Knative: the service and revision as labels of every entry, so that a revision's lines can be picked out.
  const labels = settings.serviceRevision
    ? { service: serviceContext.service, revision: settings.serviceRevision }
    : undefined;
  const labelsField = labels && { [LABELS_KEY]: labels };
  const enabled = (level: Level) => RANK[level] <= RANK[settings.logLevel];

  if (settings.logFormat === 'pretty' || settings.logTarget === 'cloud-logging') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createWinstonLogger } = require('./logging-winston') as typeof import('./logging-winston');
    const winstonLogger = createWinstonLogger(settings, stream, labels);
    const write = (level: Level, message: string, fields?: object) => winstonLogger.log(level, message, fields);
    const request: Logger['request'] = (level, message, fields) => {
      if (enabled(level)) write(level, message, fields);
    };
    return loggerOf(write, request, () => winstonLogger.close());
  }

  /**
   * One line in the structured format that Cloud Logging's agent on GKE and Cloud Run parses from stdout:
   * `severity`, `message`, `time`, `httpRequest`, `logging.googleapis.com/trace`, `/spanId`, `/trace_sampled` and
   * `/labels` become the entry's own fields, the rest its jsonPayload.
   */
  function structuredLine(level: Level, message: string, fields: Fields): string {
    const severity = SEVERITY[level] ?? 'DEFAULT';
    const time = new Date().toISOString();
    if (typeof fields.stack === 'string') {
      const { stack, ...rest } = fields;
      const { message: report, ...event } = errorEvent(stack, rest.httpRequest, serviceContext);
      return `${JSON.stringify({ severity, message: report, time, ...event, ...rest, ...labelsField })}\n`;
    }
    return `${JSON.stringify({ severity, message, time, ...fields, ...labelsField })}\n`;
  }

  // Request lines wait for the end of the event loop's turn and go out together in one write: a write is a system
  // call (on Kubernetes, into a pipe the container runtime reads), and under load a turn answers many requests. Any
  // other line first writes those, then itself, at once, so the order is kept. A process that gets to run before it
  // ends writes them too: on 'exit' below, and before a fatal signal (shared/fatal-signals.ts). Why not each at once:
  // docs/ARCHITECTURE.md, "Observability".
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  const flushSoon = () => setImmediate(flush);
  // The process's own stdout: whatever a crash leaves pending is written as the process exits.
  const onExit = stream === process.stdout ? flush : undefined;
  if (onExit) process.once('exit', onExit);
  const write = (level: Level, message: string, fields?: object) => {
    if (!enabled(level)) return;
    flush();
    stream.write(structuredLine(level, message, (fields ?? {}) as Fields));
  };
  const request: Logger['request'] = (level, message, fields) => {
    if (!enabled(level)) return;
    if (pending === '') flushSoon();
    pending += structuredLine(level, message, fields as Fields);
  };
  return loggerOf(write, request, async () => {
    flush();
    if (onExit) process.off('exit', onExit);
  });
}

/** A Logger from its three ways out: a line now, a request's line, and closing. */
function loggerOf(
  write: (level: Level, message: string, fields?: object) => void,
  request: Logger['request'],
  close: () => Promise<void>,
): Logger {
  const at = (level: Level) => (message: string, fields?: object) => write(level, message, fields);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), request, close };
}
