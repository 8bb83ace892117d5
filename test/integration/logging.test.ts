// One structured log line per request in the Cloud Logging format; severity by status; trace; no secrets.
import { call } from '../support/http';
import { startService, type LogLine, type Service } from '../support/service';

const requestLine = (service: Service, requestId: string) =>
  service.logs.find((line) => line.httpRequest && line.request_id === requestId);

async function waitForLine(service: Service, requestId: string): Promise<LogLine> {
  for (let i = 0; i < 50; i++) {
    const line = requestLine(service, requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no log line for request ${requestId}`);
}

describe('request logging', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({
      env: { PGLITE_DATA_DIR: 'memory://', GOOGLE_CLOUD_PROJECT: 'demo-project', DATABASE_URL: undefined },
    });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('writes one INFO line with httpRequest fields and the request id for a 200', async () => {
    await call(service.url, 'GET', '/api/v1/users?limit=1', {
      headers: { 'x-request-id': 'log-ok-1', 'user-agent': 'jest-probe/1.0' },
    });
    const line = await waitForLine(service, 'log-ok-1');
    expect(line.severity).toBe('INFO');
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line.route).toBe('/api/v1/users');
    expect(line.httpRequest).toMatchObject({
      requestMethod: 'GET',
      requestUrl: '/api/v1/users?limit=1',
      status: 200,
      userAgent: 'jest-probe/1.0',
      latency: expect.stringMatching(/^\d+\.\d+s$/),
      remoteIp: expect.stringContaining('127.0.0.1'),
    });
    expect(service.logs.filter((l) => l.request_id === 'log-ok-1')).toHaveLength(1);
  });

  it('logs a 4xx as WARNING', async () => {
    await call(service.url, 'GET', '/api/v1/users/id/nope', { headers: { 'x-request-id': 'log-warn-1' } });
    expect((await waitForLine(service, 'log-warn-1')).severity).toBe('WARNING');
  });

  it('sets the Cloud Logging trace from traceparent when GOOGLE_CLOUD_PROJECT is set', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await call(service.url, 'GET', '/health', {
      headers: { 'x-request-id': 'log-trace-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const line = await waitForLine(service, 'log-trace-1');
    expect(line['logging.googleapis.com/trace']).toBe(`projects/demo-project/traces/${traceId}`);
  });

  it('sets the trace from X-Cloud-Trace-Context too', async () => {
    const traceId = '105445aa7843bc8bf206b12000100000';
    await call(service.url, 'GET', '/health', {
      headers: { 'x-request-id': 'log-trace-2', 'x-cloud-trace-context': `${traceId}/1;o=1` },
    });
    const line = await waitForLine(service, 'log-trace-2');
    expect(line['logging.googleapis.com/trace']).toBe(`projects/demo-project/traces/${traceId}`);
  });
});

describe('logging of a 5xx and of secrets', () => {
  it('logs a database outage as ERROR with the cause, and never the database password', async () => {
    const service = await startService({
      env: { DATABASE_URL: 'postgres://appuser:s3cret-pa55word@127.0.0.1:1/none' },
    });
    try {
      await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-request-id': 'log-err-1' } });
      const line = await waitForLine(service, 'log-err-1');
      expect(line.severity).toBe('ERROR');
      expect(String(line.error)).toContain('DATABASE_UNAVAILABLE');
      expect(service.output()).not.toContain('s3cret-pa55word');
    } finally {
      await service.stop();
    }
  });

  it('writes a readable line per request with LOG_FORMAT=pretty', async () => {
    const service = await startService({
      env: { PGLITE_DATA_DIR: 'memory://', LOG_FORMAT: 'pretty', DATABASE_URL: undefined },
      waitForListening: false,
    });
    try {
      for (let i = 0; i < 300 && !service.output().includes('usersvc listening'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(service.output()).toMatch(/\d{2}:\d{2}:\d{2}\.\d{3} .*info.* usersvc listening/);
    } finally {
      await service.stop();
    }
  });
});
