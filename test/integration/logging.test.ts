// One structured log line per request in the Cloud Logging format; severity by status; trace; no secrets.
import net from 'node:net';
import { createLogger } from '../../shared/logging';
import { useApp, type TestApp } from '../support/app';
import { call } from '../support/http';

const requestLine = (service: TestApp, requestId: string) =>
  service.waitFor((line) => line.httpRequest !== undefined && line.request_id === requestId);

describe('request logging', () => {
  const service = useApp({ env: { GOOGLE_CLOUD_PROJECT: 'demo-project' } });

  it('writes one INFO line with httpRequest fields and the request id for a 200', async () => {
    await call(service.url, 'GET', '/api/v1/users?limit=1', {
      headers: { 'x-request-id': 'log-ok-1', 'user-agent': 'jest-probe/1.0' },
    });
    const line = await requestLine(service, 'log-ok-1');
    expect(line.severity).toBe('INFO');
    expect(line.message).toBe('GET /api/v1/users 200');
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line.route).toBe('/api/v1/users');
    expect(line.httpRequest).toMatchObject({
      requestMethod: 'GET',
      requestUrl: '/api/v1/users?limit=1',
      status: 200,
      userAgent: 'jest-probe/1.0',
      latency: expect.stringMatching(/^\d+\.\d+s$/),
      remoteIp: expect.stringContaining('127.0.0.1'),
      protocol: 'HTTP/1.1',
      responseSize: expect.stringMatching(/^[1-9]\d*$/),
    });
    expect(service.logs.filter((l) => l.request_id === 'log-ok-1')).toHaveLength(1);
  });

  it('logs a 4xx as WARNING', async () => {
    await call(service.url, 'GET', '/api/v1/users/id/nope', { headers: { 'x-request-id': 'log-warn-1' } });
    expect((await requestLine(service, 'log-warn-1')).severity).toBe('WARNING');
  });

  it('sets the Cloud Logging trace from traceparent when GOOGLE_CLOUD_PROJECT is set', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await call(service.url, 'GET', '/health', {
      headers: { 'x-request-id': 'log-trace-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const line = await requestLine(service, 'log-trace-1');
    expect(line['logging.googleapis.com/trace']).toBe(`projects/demo-project/traces/${traceId}`);
    expect(line['logging.googleapis.com/spanId']).toBe('00f067aa0ba902b7');
    expect(line['logging.googleapis.com/trace_sampled']).toBe(true);
  });

  it('writes trace_sampled false from a traceparent whose sampled flag is clear', async () => {
    await call(service.url, 'GET', '/health', {
      headers: {
        'x-request-id': 'log-trace-3',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      },
    });
    expect((await requestLine(service, 'log-trace-3'))['logging.googleapis.com/trace_sampled']).toBe(false);
  });

  it('sets the trace from X-Cloud-Trace-Context too', async () => {
    const traceId = '105445aa7843bc8bf206b12000100000';
    await call(service.url, 'GET', '/health', {
      headers: { 'x-request-id': 'log-trace-2', 'x-cloud-trace-context': `${traceId}/1;o=1` },
    });
    const line = await requestLine(service, 'log-trace-2');
    expect(line['logging.googleapis.com/trace']).toBe(`projects/demo-project/traces/${traceId}`);
    expect(line['logging.googleapis.com/trace_sampled']).toBe(true);
  });
});

describe('request logging without GOOGLE_CLOUD_PROJECT', () => {
  const service = useApp();

  it('leaves the trace fields out', async () => {
    await call(service.url, 'GET', '/health', {
      headers: {
        'x-request-id': 'log-notrace-1',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
    expect(await requestLine(service, 'log-notrace-1')).not.toHaveProperty(['logging.googleapis.com/trace']);
  });
});

describe('logging of a 5xx and of secrets', () => {
  const service = useApp({
    env: {
      DATABASE_URL: 'postgres://appuser:s3cret-pa55word@127.0.0.1:1/none',
      GOOGLE_CLOUD_PROJECT: 'demo-project',
      K_SERVICE: 'usersvc',
      K_REVISION: 'usersvc-00042',
    },
  });

  it('logs a database outage as ERROR with the cause, and never the database password', async () => {
    await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-request-id': 'log-err-1' } });
    const line = await requestLine(service, 'log-err-1');
    expect(line.severity).toBe('ERROR');
    expect(String(line.error)).toContain('DATABASE_UNAVAILABLE');
    expect(service.output()).not.toContain('s3cret-pa55word');
  });

  it('writes a 5xx as an Error Reporting event: @type, the stack as message, serviceContext from K_SERVICE/K_REVISION', async () => {
    await call(service.url, 'GET', '/api/v1/users/username/jdoe?api_key=sk_live_leak', {
      headers: {
        'x-request-id': 'log-err-2',
        'user-agent': 'jest-probe/1.0',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
    const line = await requestLine(service, 'log-err-2');
    expect(line).toMatchObject({
      severity: 'ERROR',
      '@type': 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent',
      serviceContext: { service: 'usersvc', version: 'usersvc-00042' },
      context: {
        httpRequest: {
          method: 'GET',
          url: '/api/v1/users/username/jdoe?api_key=[REDACTED]',
          userAgent: 'jest-probe/1.0',
          responseStatusCode: 503,
          remoteIp: expect.stringContaining('127.0.0.1'),
        },
      },
      httpRequest: { status: 503, requestUrl: '/api/v1/users/username/jdoe?api_key=[REDACTED]' },
      error: expect.stringContaining('DATABASE_UNAVAILABLE'),
      'logging.googleapis.com/trace': 'projects/demo-project/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      'logging.googleapis.com/trace_sampled': true,
      'logging.googleapis.com/labels': { service: 'usersvc', revision: 'usersvc-00042' },
    });
    // V8's stack, the form Error Reporting parses for JavaScript: the error's header line, then its frames.
    expect(line.message).toMatch(/^AppError: The database is unavailable; retry later\.\n {4}at /);
    expect(service.output()).not.toContain('sk_live_leak');
  });
});

describe('request logging of secrets in the query string', () => {
  const service = useApp();

  it('replaces the values of api_key, token, key, password, secret and signature, any case, every time', async () => {
    const query =
      'api_key=sk_live_1&TOKEN=tok_2&Key=key_3&password=pw_4&SECRET=sec_5&signature=sig_6&api%5Fkey=enc_7&token=tok_8&keep=visible';
    await call(service.url, 'GET', `/health?${query}`, { headers: { 'x-request-id': 'log-secret-1' } });
    const line = await requestLine(service, 'log-secret-1');
    expect(line.httpRequest?.requestUrl).toBe(
      '/health?api_key=[REDACTED]&TOKEN=[REDACTED]&Key=[REDACTED]&password=[REDACTED]&SECRET=[REDACTED]' +
        '&signature=[REDACTED]&api%5Fkey=[REDACTED]&token=[REDACTED]&keep=visible',
    );
    for (const secret of ['sk_live_1', 'tok_2', 'key_3', 'pw_4', 'sec_5', 'sig_6', 'enc_7', 'tok_8']) {
      expect(service.output()).not.toContain(secret);
    }
  });
});

describe('request logging of the client address', () => {
  // Two proxies in front: one appends the client's address, the next the first proxy's.
  const service = useApp({ env: { TRUSTED_PROXY_HOPS: '2' } });
  const remoteIpFor = async (id: string, forwardedFor: string) => {
    await call(service.url, 'GET', '/health', { headers: { 'x-request-id': id, 'x-forwarded-for': forwardedFor } });
    return (await requestLine(service, id)).httpRequest?.remoteIp;
  };

  it('takes the entry the trusted proxies wrote, not what the client put before it', async () => {
    expect(await remoteIpFor('log-ip-1', '6.6.6.6, 203.0.113.9, 10.0.0.1')).toBe('203.0.113.9');
    expect(await remoteIpFor('log-ip-2', '2001:db8::7,10.0.0.1')).toBe('2001:db8::7');
  });

  it('logs the socket peer when the header has fewer entries than the trusted proxies write', async () => {
    expect(await remoteIpFor('log-ip-5', '1.1.1.1')).toBe('127.0.0.1');
    expect(await remoteIpFor('log-ip-6', ' , 10.0.0.1')).toBe('127.0.0.1');
  });

  it('logs the socket peer when that entry is not an IP address', async () => {
    expect(await remoteIpFor('log-ip-3', '1.2.3.4\u00ff\u00fe')).toBe('127.0.0.1');
    expect(await remoteIpFor('log-ip-4', '203.0.113.9, <script>, 10.0.0.1')).toBe('127.0.0.1');
  });
});

const isLoopback = (target: { host?: string } | undefined) =>
  /^(127\.0\.0\.1|::1|localhost)$/.test(target?.host ?? '127.0.0.1');

describe('LOG_TARGET=cloud-logging', () => {
  // The same request lines, through our stdout format and through LoggingWinston writing its entries to stdout.
  const redirected: string[] = [];
  const connections: unknown[] = [];
  let detection: string | undefined;
  beforeAll(() => {
    // Nothing may reach Google: no metadata-server probe (google-auth-library's), and every socket to this machine.
    detection = process.env.METADATA_SERVER_DETECTION;
    process.env.METADATA_SERVER_DETECTION = 'none';
    jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
      // connect(options), connect(port, host) or, from within Node, connect([options, callback]).
      const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0];
      const target = typeof first === 'object' ? (first as { host?: string }) : { host: args[1] as string | undefined };
      connections.push(target);
      // Only this machine: the test's own requests and the unreachable database.
      if (!isLoopback(target)) return this.destroy(new Error('no network but loopback in this test'));
      return realConnect.apply(this, args as Parameters<net.Socket['connect']>);
    });
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      redirected.push(String(chunk));
      return true;
    });
  });
  afterAll(() => {
    jest.restoreAllMocks();
    if (detection === undefined) delete process.env.METADATA_SERVER_DETECTION;
    else process.env.METADATA_SERVER_DETECTION = detection;
  });
  const realConnect = net.Socket.prototype.connect;

  const service = useApp({
    env: {
      DATABASE_URL: 'postgres://appuser:pw@127.0.0.1:1/none',
      GOOGLE_CLOUD_PROJECT: 'demo-project',
      K_SERVICE: 'usersvc',
      K_REVISION: 'usersvc-00042',
    },
    logger: (config, stream) => {
      const stdout = createLogger(config, stream);
      const cloud = createLogger({ ...config, logTarget: 'cloud-logging', redirectToStdout: true });
      const both = (name: 'error' | 'warn' | 'info' | 'debug') => (message: string, fields?: object) => {
        stdout[name](message, fields);
        cloud[name](message, fields);
      };
      return {
        error: both('error'),
        warn: both('warn'),
        info: both('info'),
        debug: both('debug'),
        request(level, message, fields) {
          stdout.request(level, message, fields);
          cloud.request(level, message, fields);
        },
        close: () => Promise.all([stdout.close(), cloud.close()]).then(() => undefined),
      };
    },
  });

  const SPECIAL = [
    'severity',
    'message',
    'httpRequest',
    'serviceContext',
    'logging.googleapis.com/trace',
    'logging.googleapis.com/spanId',
    'logging.googleapis.com/trace_sampled',
    'logging.googleapis.com/labels',
  ];
  const special = (line: Record<string, unknown>) =>
    Object.fromEntries(SPECIAL.filter((key) => line[key] !== undefined).map((key) => [key, line[key]]));

  it.each([
    [
      'a 200 with a sampled traceparent',
      '/health',
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    ],
    [
      'a 404 with X-Cloud-Trace-Context, not sampled',
      '/nope?token=t',
      { 'x-cloud-trace-context': `${'a'.repeat(32)}/7;o=0` },
    ],
    ['a 503 (an Error Reporting event)', '/api/v1/users/username/jdoe', {}],
  ])('carries the same special fields for %s', async (_name, path, headers) => {
    const id = `log-cloud-${path.length}`;
    await call(service.url, 'GET', path, { headers: { 'x-request-id': id, ...headers } });
    const ours = await requestLine(service, id);
    const entries = redirected
      .join('')
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    const theirs = entries.find((entry) => (entry.metadata as { request_id?: string })?.request_id === id);
    expect(theirs).toBeDefined();
    expect(special(theirs as Record<string, unknown>)).toEqual(special(ours));
    expect(Object.keys(special(ours))).toEqual(
      expect.arrayContaining(['severity', 'httpRequest', 'logging.googleapis.com/labels']),
    );
    expect(connections.filter((target) => !isLoopback(target as { host?: string } | undefined))).toEqual([]);
  });
});
