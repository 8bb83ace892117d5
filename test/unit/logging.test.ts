// The logger: Cloud Logging JSON lines by default, readable lines with LOG_FORMAT=pretty, levels honoured.
import { createRequire } from 'node:module';
import net from 'node:net';
import { createLogger } from '../../shared/logging';
import { captureLogs } from '../support/logs';

/** Request lines go out at the end of the event loop's turn (see createLogger). */
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger', () => {
  it('writes structured JSON lines with severity, message, time and the fields', () => {
    const capture = captureLogs();
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, capture.stream);
    logger.warn('pool is slow', { waiting: 3 });
    expect(capture.logs).toEqual([
      { severity: 'WARNING', message: 'pool is slow', time: expect.stringMatching(/Z$/), waiting: 3 },
    ]);
  });

  it('writes the request line in the same format, and drops lines below the level', async () => {
    const capture = captureLogs();
    const logger = createLogger({ logLevel: 'warn', logFormat: 'json' }, capture.stream);
    logger.request('info', 'GET /health 200', { route: '/health' });
    logger.info('not shown');
    logger.request('warn', 'GET /nope 404', { route: 'unmatched' });
    await endOfTurn();
    expect(capture.logs).toEqual([
      { severity: 'WARNING', message: 'GET /nope 404', time: expect.stringMatching(/Z$/), route: 'unmatched' },
    ]);
  });

  it("writes a turn's request lines in one write at its end, and any other line after them at once", async () => {
    const capture = captureLogs();
    const writes: string[] = [];
    const write = capture.stream.write.bind(capture.stream);
    capture.stream.write = ((chunk: string) => {
      writes.push(chunk);
      return write(chunk);
    }) as typeof capture.stream.write;
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, capture.stream);
    logger.request('info', 'GET /a 200', { route: '/a' });
    logger.request('info', 'GET /b 200', { route: '/b' });
    expect(writes).toEqual([]);
    logger.warn('pool is slow');
    expect(writes).toHaveLength(2);
    logger.request('info', 'GET /c 200', { route: '/c' });
    await endOfTurn();
    expect(writes).toHaveLength(3);
    expect(capture.logs.map((line) => line.message)).toEqual([
      'GET /a 200',
      'GET /b 200',
      'pool is slow',
      'GET /c 200',
    ]);
  });

  it('writes readable lines with LOG_FORMAT=pretty, request lines included', () => {
    const capture = captureLogs();
    const logger = createLogger({ logLevel: 'info', logFormat: 'pretty' }, capture.stream);
    logger.info('usersvc listening', { port: 8080 });
    logger.request('info', 'GET /health 200', { httpRequest: { status: 200 }, request_id: 'abc' });
    const lines = capture.output().trim().split('\n');
    expect(lines[0]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} .*info.* usersvc listening \{"port":8080\}$/);
    expect(lines[1]).toMatch(/GET \/health 200 \{"request_id":"abc"\}$/); // httpRequest is left to the JSON format
  });
});

describe('LOG_FORMAT=pretty', () => {
  it('writes ANSI colours only when the stream is a terminal', () => {
    const pipe = captureLogs();
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, pipe.stream).info('to a pipe');
    expect(pipe.output()).toContain('info to a pipe');
    expect(pipe.output()).not.toContain('\u001b[');

    const terminal = captureLogs();
    Object.assign(terminal.stream, { isTTY: true });
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, terminal.stream).info('to a terminal');
    expect(terminal.output()).toContain('\u001b[32minfo\u001b[39m to a terminal');
  });

  it('shows the latency on request lines, and a 5xx line’s stack below it', () => {
    const capture = captureLogs();
    const logger = createLogger({ logLevel: 'info', logFormat: 'pretty' }, capture.stream);
    logger.request('info', 'GET /api/v1/users 200', { httpRequest: { latency: '0.003215s' }, request_id: 'a' });
    const stack = new Error('boom').stack as string;
    logger.request('error', 'GET /api/v1/users 500', { httpRequest: { latency: '1.250000s' }, stack });
    const output = capture.output();
    expect(output).toMatch(/ info GET \/api\/v1\/users 200 3\.2 ms \{"request_id":"a"\}\n/);
    expect(output).toMatch(/ error GET \/api\/v1\/users 500 1250\.0 ms\nError: boom\n {4}at /);
  });
});

// Google's documented ReportedErrorEvent in a log entry (https://cloud.google.com/error-reporting/docs/formatting-error-messages,
// and the v1beta1 REST reference of ReportedErrorEvent, ServiceContext, ErrorContext and HttpRequestContext): the
// fields each object may hold, with their JSON types.
const REPORTED_ERROR_EVENT = 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent';
const documented = {
  event: { '@type': 'string', eventTime: 'string', serviceContext: 'object', message: 'string', context: 'object' },
  serviceContext: { service: 'string', version: 'string', resourceType: 'string' },
  context: { httpRequest: 'object', user: 'string', reportLocation: 'object' },
  httpRequest: {
    method: 'string',
    url: 'string',
    userAgent: 'string',
    referrer: 'string',
    responseStatusCode: 'number',
    remoteIp: 'string',
  },
} as const;

function expectDocumented(value: unknown, shape: Record<string, string>) {
  expect(typeof value).toBe('object');
  for (const [key, field] of Object.entries(value as object)) {
    expect([key, typeof field]).toEqual([key, shape[key]]);
  }
}

describe('5xx lines as Error Reporting events', () => {
  const httpRequest = {
    requestMethod: 'GET',
    requestUrl: '/api/v1/users?limit=2',
    status: 500,
    responseSize: '180',
    latency: '0.002000s',
    userAgent: 'curl/8.5.0',
    remoteIp: '203.0.113.7',
    protocol: 'HTTP/1.1',
  };
  const trace = {
    'logging.googleapis.com/trace': 'projects/demo/traces/4bf92f3577b34da6a3ce929d0e0e4736',
    'logging.googleapis.com/spanId': '00f067aa0ba902b7',
    'logging.googleapis.com/trace_sampled': true,
  };

  it('writes the ReportedErrorEvent form: @type, the V8 stack as message, serviceContext from Knative, context', async () => {
    const capture = captureLogs();
    const logger = createLogger(
      { logLevel: 'info', logFormat: 'json', serviceName: 'usersvc', serviceRevision: 'usersvc-00042' },
      capture.stream,
    );
    const error = new TypeError("Cannot read properties of undefined (reading 'id')");
    logger.request('error', 'GET /api/v1/users 500', {
      httpRequest,
      request_id: 'req-1',
      route: '/api/v1/users',
      error: `TypeError: ${error.message}`,
      stack: error.stack,
      ...trace,
    });
    await endOfTurn();
    const [line] = capture.logs;
    expect(line).toEqual({
      severity: 'ERROR',
      message: error.stack,
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      '@type': REPORTED_ERROR_EVENT,
      serviceContext: { service: 'usersvc', version: 'usersvc-00042' },
      context: {
        httpRequest: {
          method: 'GET',
          url: '/api/v1/users?limit=2',
          userAgent: 'curl/8.5.0',
          responseStatusCode: 500,
          remoteIp: '203.0.113.7',
        },
      },
      httpRequest,
      request_id: 'req-1',
      route: '/api/v1/users',
      error: "TypeError: Cannot read properties of undefined (reading 'id')",
      ...trace,
      'logging.googleapis.com/labels': { service: 'usersvc', revision: 'usersvc-00042' },
    });
    // The parts Error Reporting reads hold only what its documented format defines, with the documented types.
    const { context, serviceContext } = line as { context: { httpRequest: object }; serviceContext: object };
    expectDocumented(
      Object.fromEntries(Object.entries(line as object).filter(([key]) => key in documented.event)),
      documented.event,
    );
    expectDocumented(serviceContext, documented.serviceContext);
    expectDocumented(context, documented.context);
    expectDocumented(context.httpRequest, documented.httpRequest);
    // The JavaScript form Error Reporting parses: a header line, then V8's frames.
    expect(line?.message).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'id'\)\n {4}at /);
  });

  it('names the service usersvc and leaves out the version off Knative (no K_SERVICE, K_REVISION)', async () => {
    const capture = captureLogs();
    createLogger({ logLevel: 'info', logFormat: 'json' }, capture.stream).request('error', 'GET /x 500', {
      stack: new Error('boom').stack,
    });
    await endOfTurn();
    expect(capture.logs[0]).toMatchObject({ '@type': REPORTED_ERROR_EVENT, serviceContext: { service: 'usersvc' } });
    expect(capture.logs[0]?.serviceContext).toEqual({ service: 'usersvc' });
    expect(capture.logs[0]).not.toHaveProperty(['logging.googleapis.com/labels']);
    expect(capture.logs[0]).not.toHaveProperty('context');
  });

  it('leaves lines without a stack as they were', async () => {
    const capture = captureLogs();
    createLogger({ logLevel: 'info', logFormat: 'json' }, capture.stream).request('error', 'GET /ready 503', {
      route: '/ready',
    });
    await endOfTurn();
    expect(capture.logs[0]).toEqual({
      severity: 'ERROR',
      message: 'GET /ready 503',
      time: expect.any(String),
      route: '/ready',
    });
  });
});

describe('LOG_TARGET=cloud-logging', () => {
  // The API client's own serializer: protobufjs, resolved as @google-cloud/logging-api resolves it, over its protos.
  const apiRequire = createRequire(require.resolve('@google-cloud/logging-api'));
  const protobuf = apiRequire('protobufjs') as typeof import('protobufjs');
  const LogEntry = protobuf.Root.fromJSON(
    apiRequire('@google-cloud/logging-api/build/protos/protos.json') as protobuf.INamespace,
  ).lookupType('google.logging.v2.LogEntry');

  // Nothing may reach Google: google-auth-library probes the GCE metadata server when a client is built, unless told
  // there is none; any socket opened meanwhile is refused and recorded.
  const sockets: unknown[] = [];
  let detection: string | undefined;
  beforeAll(() => {
    detection = process.env.METADATA_SERVER_DETECTION;
    process.env.METADATA_SERVER_DETECTION = 'none';
    // Blocked, not merely watched: this test opens no socket at all.
    jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
      sockets.push(args[0]);
      return this.destroy(new Error('no network in this test'));
    });
  });
  afterAll(() => {
    jest.restoreAllMocks();
    if (detection === undefined) delete process.env.METADATA_SERVER_DETECTION;
    else process.env.METADATA_SERVER_DETECTION = detection;
  });

  it('sends entries the API client can encode, latency as a Duration; nothing leaves the process', async () => {
    // The write that would call the API, replaced: it keeps the entries instead.
    const { Log } = createRequire(__filename)('@google-cloud/logging') as typeof import('@google-cloud/logging');
    const sent: { toJSON(): object }[] = [];
    const write = jest.spyOn(Log.prototype, 'write').mockImplementation((entries) => {
      sent.push(...(Array.isArray(entries) ? entries : [entries]));
      return Promise.resolve([{}]);
    });
    try {
      const logger = createLogger({
        logLevel: 'info',
        logFormat: 'json',
        logTarget: 'cloud-logging',
        googleCloudProject: 'demo-project',
        serviceName: 'usersvc',
        serviceRevision: 'usersvc-00042',
      });
      logger.request('error', 'GET /api/v1/users 503', {
        httpRequest: { requestMethod: 'GET', requestUrl: '/api/v1/users', status: 503, latency: '1.250000s' },
        stack: new Error('boom').stack,
      });
      await logger.close();
      const entry = sent.map((e) => e.toJSON() as Record<string, unknown>).find((e) => e.httpRequest);
      expect(entry?.httpRequest).toMatchObject({ latency: { seconds: 1, nanos: 250_000_000 } });
      expect(entry?.labels).toEqual({ service: 'usersvc', revision: 'usersvc-00042' });
      expect(entry?.severity).toBe('ERROR');
      for (const e of sent) expect(() => LogEntry.encode(LogEntry.fromObject(e.toJSON())).finish()).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sockets).toEqual([]);
    } finally {
      write.mockRestore();
    }
  });
});
