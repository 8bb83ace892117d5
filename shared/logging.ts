// Builds a logger: Cloud Logging structured JSON lines on a stream (stdout in production), readable lines with
// LOG_FORMAT=pretty, or, with LOG_TARGET=cloud-logging, entries sent to the Cloud Logging API by
// @google-cloud/logging-winston. The entrypoint makes one and closes it; a test makes its own over a stream it reads.
import type { Writable } from 'node:stream';
import winston from 'winston';
import type TransportStream from 'winston-transport';
import type { Config } from './config';

type Level = Config['logLevel'];

export interface Logger {
  error(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
  info(message: string, fields?: object): void;
  debug(message: string, fields?: object): void;
  /**
   * The one line per request; cheaper than the others, see createLogger. A `stack` field makes it an Error
   * Reporting event: the stack becomes its message (see errorEvent).
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

// winston writes the finished line kept under this registered symbol (see triple-beam).
const MESSAGE = Symbol.for('message');
const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };
const RANK: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Error Reporting takes a log entry with this `@type` as a ReportedErrorEvent (its `message`, `serviceContext`...). */
export const REPORTED_ERROR_EVENT =
  'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent';
export const LABELS_KEY = 'logging.googleapis.com/labels';

interface HttpRequestFields {
  requestMethod?: string;
  requestUrl?: string;
  status?: number;
  userAgent?: string;
  remoteIp?: string;
  latency?: string | { seconds: number; nanos: number };
}
type Fields = { stack?: unknown; httpRequest?: HttpRequestFields } & Record<string, unknown>;

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

/** `0.003215s` as the pretty line shows it: `3.2 ms`. */
function milliseconds(latency: HttpRequestFields['latency']): string {
  return typeof latency === 'string' ? ` ${(Number.parseFloat(latency) * 1000).toFixed(1)} ms` : '';
}

function prettyFormat(colours: boolean) {
  return winston.format.combine(
    winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
    ...(colours ? [winston.format.colorize()] : []),
    winston.format.printf(({ timestamp, level, message, httpRequest, stack, ...fields }) => {
      const latency = milliseconds((httpRequest as HttpRequestFields | undefined)?.latency);
      const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
      const trace = typeof stack === 'string' ? `\n${stack}` : '';
      return `${String(timestamp)} ${level} ${String(message)}${latency}${extra}${trace}`;
    }),
  );
}

/**
 * The transport of LOG_TARGET=cloud-logging. @google-cloud/logging-winston is required here and nowhere else: it adds
 * about 590 modules and 40 MB to the start (docs/ARCHITECTURE.md, "Observability"), which the stdout target never pays.
 */
function cloudLoggingTransport(settings: LoggerSettings, labels: Record<string, string> | undefined) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LoggingWinston } = require('@google-cloud/logging-winston') as typeof import('@google-cloud/logging-winston');
  const toApi = !settings.redirectToStdout;
  const transport: TransportStream = new LoggingWinston({
    logName: settings.serviceName ?? 'usersvc',
    projectId: settings.googleCloudProject,
    serviceContext: { service: settings.serviceName ?? 'usersvc', version: settings.serviceRevision },
    labels,
    redirectToStdout: settings.redirectToStdout,
    // A redirected entry's `message` is then the text, as on stdout, not an object holding it.
    useMessageField: false,
    format: winston.format((info) => {
      const { httpRequest, stack } = info as Fields;
      // The API takes latency as a protobuf Duration; the stdout form is the JSON `"0.003215s"`.
      if (toApi && typeof httpRequest?.latency === 'string') {
        const seconds = Number.parseFloat(httpRequest.latency);
        info.httpRequest = {
          ...httpRequest,
          latency: { seconds: Math.floor(seconds), nanos: Math.round((seconds % 1) * 1e9) },
        };
      }
      // LoggingWinston appends `stack` to the message and adds serviceContext: the stack alone, as on stdout.
      if (typeof stack === 'string') info.message = '';
      info.timestamp = new Date();
      return info;
    })(),
  });
  // A failed write must not end the stream (winston would stop logging): say so on stderr, at most every 10 s.
  let pending = 0;
  let lastReport = 0;
  const log = transport.log!.bind(transport);
  transport.log = (info: unknown, next: () => void) => {
    pending++;
    log(info, (error?: Error | null) => {
      pending--;
      if (error && Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        process.stderr.write(`cloud logging write failed: ${error.message}\n`);
      }
      next();
    });
  };
  return { transport, pending: () => pending };
}

export function createLogger(settings: LoggerSettings, stream: Writable = process.stdout): Logger {
  const pretty = settings.logFormat === 'pretty';
  const cloud = settings.logTarget === 'cloud-logging';
  const serviceContext = { service: settings.serviceName ?? 'usersvc', version: settings.serviceRevision };
  // On Knative: the service and revision as labels of every entry, so that a revision's lines can be picked out.
  const labels = settings.serviceRevision
    ? { service: serviceContext.service, revision: settings.serviceRevision }
    : undefined;
  const labelsField = labels && { [LABELS_KEY]: labels };

  /**
   * One line in the structured format that Cloud Logging's agent on GKE and Cloud Run parses from stdout:
   * `severity`, `message`, `time`, `httpRequest`, `logging.googleapis.com/trace`, `/spanId`, `/trace_sampled` and
   * `/labels` become the entry's own fields, the rest its jsonPayload.
   */
  function structuredLine(level: string, message: unknown, fields: Fields): string {
    const severity = SEVERITY[level] ?? 'DEFAULT';
    const time = new Date().toISOString();
    if (typeof fields.stack === 'string') {
      const { stack, ...rest } = fields;
      const { message: report, ...event } = errorEvent(stack, rest.httpRequest, serviceContext);
      return JSON.stringify({ severity, message: report, time, ...event, ...rest, ...labelsField });
    }
    return JSON.stringify({ severity, message, time, ...fields, ...labelsField });
  }

  const jsonFormat = winston.format((info) => {
    const { level, message, ...fields } = info;
    (info as Record<symbol, unknown>)[MESSAGE] = structuredLine(level, message, fields);
    return info;
  });

  let cloudTransport: ReturnType<typeof cloudLoggingTransport> | undefined;
  let transport: TransportStream;
  if (cloud) {
    cloudTransport = cloudLoggingTransport(settings, labels);
    transport = cloudTransport.transport;
  } else {
    transport = new winston.transports.Stream({ stream });
  }
  // Colours only on a terminal: escape codes are noise in a file, a pipe or a log collector.
  const colours = (stream as Writable & { isTTY?: boolean }).isTTY === true;
  const winstonLogger = winston.createLogger({
    level: settings.logLevel,
    format: cloud ? winston.format.combine() : pretty ? prettyFormat(colours) : jsonFormat(),
    transports: [transport],
  });
  winstonLogger.on('error', (error: Error) => process.stderr.write(`logger failed: ${error.message}\n`));
  const enabled = (level: Level) => RANK[level] <= RANK[settings.logLevel];
  const at = (level: Level) => (message: string, fields?: object) => winstonLogger.log(level, message, fields);
  const direct = !pretty && !cloud;
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    // On every request's path, winston's stream pipeline measured about 20 µs a line (see bench/README.md), so in
    // JSON mode the line is formatted exactly as winston's lines are and written to the stream directly.
    request(level, message, fields) {
      if (!enabled(level)) return;
      if (direct) stream.write(`${structuredLine(level, message, fields as Fields)}\n`);
      else winstonLogger.log(level, message, fields);
    },
    close: () =>
      new Promise<void>((resolve) => {
        // The API target waits for its writes in flight, a little longer than a stream needs.
        const deadline = Date.now() + (cloudTransport ? 3000 : 500);
        const settle = () => {
          if (!cloudTransport || cloudTransport.pending() === 0 || Date.now() >= deadline) resolve();
          else setTimeout(settle, 20).unref();
        };
        winstonLogger.on('finish', settle);
        winstonLogger.end();
        setTimeout(resolve, deadline - Date.now()).unref();
      }),
  };
}
