// The two log targets that go through winston, loaded only when configured (shared/logging.ts requires this file
// then): readable lines for LOG_FORMAT=pretty, and entries sent to the Cloud Logging API by
// @google-cloud/logging-winston for LOG_TARGET=cloud-logging. The default target, JSON lines on stdout, needs neither.
import type { Writable } from 'node:stream';
import winston from 'winston';
import type TransportStream from 'winston-transport';
import type { Fields, HttpRequestFields, Level, LoggerSettings } from './logging';

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

export interface WinstonLogger {
  log(level: Level, message: string, fields?: object): void;
  close(): Promise<void>;
}

/** A winston logger for LOG_FORMAT=pretty (to `stream`) or LOG_TARGET=cloud-logging (to the API). */
export function createWinstonLogger(
  settings: LoggerSettings,
  stream: Writable,
  labels: Record<string, string> | undefined,
): WinstonLogger {
  const cloud = settings.logTarget === 'cloud-logging';
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
    format: cloud ? winston.format.combine() : prettyFormat(colours),
    transports: [transport],
  });
  winstonLogger.on('error', (error: Error) => process.stderr.write(`logger failed: ${error.message}\n`));
  return {
    log: (level, message, fields) => winstonLogger.log(level, message, fields),
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
