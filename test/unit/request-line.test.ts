// The request line's hand-written JSON must be exactly JSON.stringify's, whatever a client put in the URL or headers.
import fc from 'fast-check';
import { createLogger } from '../../shared/logging';
import { jsonString, requestLineMembers, RequestLogFields, type RequestHttpFields } from '../../shared/request-line';
import { captureLogs } from '../support/logs';

const http = (overrides: Partial<RequestHttpFields> = {}): RequestHttpFields => ({
  requestMethod: 'GET',
  requestUrl: '/api/v1/users/id/0f0953e6-23ce-474c-b4be-87e1ab3cfa3a',
  status: 200,
  responseSize: '215',
  latency: '0.000512s',
  userAgent: 'curl/8.5.0',
  remoteIp: '203.0.113.7',
  protocol: 'HTTP/1.1',
  ...overrides,
});

const W3C = {
  'logging.googleapis.com/trace': 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736',
  'logging.googleapis.com/spanId': '00f067aa0ba902b7',
  'logging.googleapis.com/trace_sampled': true,
};
const CLOUD = {
  'logging.googleapis.com/trace': 'projects/p/traces/4bf92f35',
  'logging.googleapis.com/trace_sampled': false,
};
const AWKWARD = [
  '',
  'quote " and backslash \\',
  'tab\tnewline\ncarriage\r nul\u0000 unit separator\u001f del\u007f',
  'line separator \u2028 paragraph \u2029',
  'emoji 🚀 and é',
  'lone high \ud800 and lone low \udc00',
  '</script><script>',
];

const sameAsStringify = (fields: RequestLogFields) =>
  expect(requestLineMembers(fields)).toBe(JSON.stringify(fields).slice(1, -1));

describe('requestLineMembers', () => {
  it.each([
    ['a plain request', new RequestLogFields(http(), 'req-1', '/api/v1/users/id/:id', undefined, undefined)],
    ['a W3C trace', new RequestLogFields(http(), 'req-1', '/api/v1/users/id/:id', undefined, W3C)],
    ['an X-Cloud-Trace-Context without span', new RequestLogFields(http(), 'r', 'unmatched', undefined, CLOUD)],
    [
      'no user agent or address',
      new RequestLogFields(http({ userAgent: undefined, remoteIp: undefined }), 'r', '/x', undefined, undefined),
    ],
    [
      'a 5xx with its cause',
      new RequestLogFields(
        http({ status: 500 }),
        'r',
        '/x',
        { error: 'E: boom', stack: 'Error: boom\n    at x (y.ts:1:2)' },
        W3C,
      ),
    ],
  ])('writes what JSON.stringify writes for %s', (_name, fields) => sameAsStringify(fields));

  it.each(AWKWARD)('escapes %j as JSON.stringify does, in every string field', (value) => {
    sameAsStringify(
      new RequestLogFields(
        http({ requestUrl: value, userAgent: value, requestMethod: value, latency: value, protocol: value }),
        value,
        value,
        { error: value, stack: value },
        { 'logging.googleapis.com/trace': value, 'logging.googleapis.com/spanId': value },
      ),
    );
  });

  it('matches JSON.stringify for arbitrary UTF-16 in the client-controlled fields', () => {
    const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });
    fc.assert(
      fc.property(anyUnits, anyUnits, fc.option(anyUnits, { nil: undefined }), (url, id, agent) => {
        const fields = new RequestLogFields(http({ requestUrl: url, userAgent: agent }), id, '/x', undefined, W3C);
        expect(requestLineMembers(fields)).toBe(JSON.stringify(fields).slice(1, -1));
        expect(jsonString(url)).toBe(JSON.stringify(url));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the request line', () => {
  it('is the same line whether the fields are a RequestLogFields or the plain object it stands for', async () => {
    const lines = captureLogs();
    const logger = createLogger(
      { logLevel: 'info', logFormat: 'json', serviceRevision: 'usersvc-00001' },
      lines.stream,
    );
    const fields = new RequestLogFields(
      http({ userAgent: 'a "quoted" agent' }),
      'req-9',
      '/api/v1/users',
      undefined,
      W3C,
    );
    logger.request('info', 'GET /api/v1/users 200', fields);
    logger.request('info', 'GET /api/v1/users 200', { ...fields });
    await new Promise((resolve) => setImmediate(resolve));
    const [typed, plain] = lines
      .output()
      .trim()
      .split('\n')
      .map((line) => line.replace(/"time":"[^"]*"/, '"time":"T"'));
    expect(typed).toBe(plain);
    expect(JSON.parse(typed as string)).toMatchObject({
      severity: 'INFO',
      httpRequest: { userAgent: 'a "quoted" agent', status: 200 },
      request_id: 'req-9',
      'logging.googleapis.com/trace_sampled': true,
      'logging.googleapis.com/labels': { service: 'usersvc', revision: 'usersvc-00001' },
    });
  });
});
