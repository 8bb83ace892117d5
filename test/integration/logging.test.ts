// One structured log line per request in the Cloud Logging format; severity by status; trace; no secrets.
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
  });

  it('sets the trace from X-Cloud-Trace-Context too', async () => {
    const traceId = '105445aa7843bc8bf206b12000100000';
    await call(service.url, 'GET', '/health', {
      headers: { 'x-request-id': 'log-trace-2', 'x-cloud-trace-context': `${traceId}/1;o=1` },
    });
    const line = await requestLine(service, 'log-trace-2');
    expect(line['logging.googleapis.com/trace']).toBe(`projects/demo-project/traces/${traceId}`);
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
  const service = useApp({ env: { DATABASE_URL: 'postgres://appuser:s3cret-pa55word@127.0.0.1:1/none' } });

  it('logs a database outage as ERROR with the cause, and never the database password', async () => {
    await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-request-id': 'log-err-1' } });
    const line = await requestLine(service, 'log-err-1');
    expect(line.severity).toBe('ERROR');
    expect(String(line.error)).toContain('DATABASE_UNAVAILABLE');
    expect(service.output()).not.toContain('s3cret-pa55word');
  });
});
