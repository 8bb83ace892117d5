// Start-up: a bad setting stops the process with one line naming the variable; SIGTERM drains and exits 0.
import { call } from '../support/http';
import { startService } from '../support/service';

describe('start-up configuration', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['POSTGRES_SSL_MODE', { POSTGRES_HOST: 'db', POSTGRES_SSL_MODE: 'sometimes' }],
    ['POSTGRES_PORT', { POSTGRES_HOST: 'db', POSTGRES_PORT: '99999' }],
    ['DB_POOL_MAX', { DB_POOL_MAX: '0' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['API_KEY', { API_KEY: 'short' }],
    ['LOG_FORMAT', { LOG_FORMAT: 'xml' }],
  ])('refuses to start on a bad %s with one line naming it', async (variable, env) => {
    const service = await startService({ env, waitForListening: false });
    expect(await service.exited).toBe(1);
    const lines = service.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: ${variable} `));
  });
});

describe('shutdown', () => {
  it('turns /ready 503 on SIGTERM, finishes, closes the database and exits 0', async () => {
    const service = await startService({
      env: { PGLITE_DATA_DIR: 'memory://', SHUTDOWN_DELAY_MS: '1500', DATABASE_URL: undefined },
    });
    expect((await call(service.url, 'GET', '/ready')).status).toBe(200);
    service.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = await call(service.url, 'GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not_ready', checks: { shutdown: 'draining' } });
    expect(ready.headers.get('connection')).toBe('close');
    expect(await service.exited).toBe(0);
    expect(service.logs.map((line) => line.message)).toContain('shutdown complete: server and database pool closed');
  });
});

describe('a fatal signal', () => {
  // Issue 19, row 7: SIGHUP's default action would end the process with the turn's request lines unwritten.
  it('is logged before it ends the process, which it still ends', async () => {
    const service = await startService({ env: { PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined } });
    expect((await call(service.url, 'GET', '/health')).status).toBe(200);
    service.process.kill('SIGHUP');
    await service.exited;
    expect(service.process.signalCode).toBe('SIGHUP');
    expect(service.logs).toContainEqual(
      expect.objectContaining({ message: 'fatal signal received: exiting', signal: 'SIGHUP' }),
    );
    expect(service.logs).toContainEqual(expect.objectContaining({ message: 'GET /health 200' }));
  });
});
