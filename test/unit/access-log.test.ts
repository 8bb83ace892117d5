// The access log's fields (shared/access-log.ts), and the line the logger writes from them.
import { accessLogFields, type RequestHttpFields } from '../../shared/access-log';
import { createLogger } from '../../shared/logging';
import { captureLogs } from '../support/logs';

const http: RequestHttpFields = {
  requestMethod: 'GET',
  requestUrl: '/api/v1/users/id/0f0953e6-23ce-474c-b4be-87e1ab3cfa3a',
  status: 200,
  responseSize: '215',
  latency: '0.000512s',
  userAgent: 'a "quoted" agent',
  remoteIp: '203.0.113.7',
  protocol: 'HTTP/1.1',
};
const W3C = {
  'logging.googleapis.com/trace': 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736',
  'logging.googleapis.com/spanId': '00f067aa0ba902b7',
  'logging.googleapis.com/trace_sampled': true,
};

describe('accessLogFields', () => {
  it('holds the request, its id and route, and no failure or trace fields it was not given', () => {
    expect(accessLogFields(http, 'req-1', '/api/v1/users/id/:id', undefined, undefined)).toEqual({
      httpRequest: http,
      request_id: 'req-1',
      route: '/api/v1/users/id/:id',
    });
  });

  it('adds the cause and stack of a failure, and the trace fields', () => {
    const failure = { error: 'INTERNAL: boom', stack: 'Error: boom\n    at x (y.ts:1:1)' };
    expect(accessLogFields(http, 'r', 'unmatched', failure, W3C)).toEqual({
      httpRequest: http,
      request_id: 'r',
      route: 'unmatched',
      ...failure,
      ...W3C,
    });
  });
});

describe('the access log line', () => {
  it('is one JSON line with severity, message, time, the fields and the revision labels', async () => {
    const lines = captureLogs();
    const logger = createLogger(
      { logLevel: 'info', logFormat: 'json', serviceRevision: 'usersvc-00001' },
      lines.stream,
    );
    logger.request('info', 'GET /api/v1/users 200', accessLogFields(http, 'req-9', '/api/v1/users', undefined, W3C));
    await new Promise((resolve) => setImmediate(resolve));
    const [line, ...rest] = lines.output().trim().split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(line as string)).toEqual({
      severity: 'INFO',
      message: 'GET /api/v1/users 200',
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      httpRequest: http,
      request_id: 'req-9',
      route: '/api/v1/users',
      ...W3C,
      'logging.googleapis.com/labels': { service: 'usersvc', revision: 'usersvc-00001' },
    });
  });
});
