// Each handler is also its own Functions Framework target: in-process under the framework's app, and once under the
// framework's own CLI exactly as the README's dev loop runs it.
import { createServer } from 'node:net';
import path from 'node:path';
import { useApp } from '../support/app';
import { call } from '../support/http';
import { ROOT, startService } from '../support/service';

const CLI = path.join(ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
/**
 * A port the kernel has just handed out and nobody holds: the CLI takes --port only, and a port picked at random may
 * be another test's server (one holding creates behind a table lock once answered this test's POST and hung it).
 */
function freePort(): Promise<string> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(String(port)));
    });
  });
}

const newUser = (name: string) => ({ username: name, email: `${name}@example.com`, full_name: 'Stand Alone' });

describe('the createUser target alone', () => {
  const target = useApp({ via: 'functions-framework', target: 'createUser' });

  it('creates at its own path and at / (its function URL when deployed alone)', async () => {
    const atPath = await call(target.url, 'POST', '/api/v1/users', { json: newUser('alonepath') });
    expect(atPath.status).toBe(201);
    const atRoot = await call(target.url, 'POST', '/', { json: newUser('aloneroot') });
    expect(atRoot.status).toBe(201);
    expect(atRoot.headers.get('location')).toBe(`/api/v1/users/id/${String(atRoot.body.id)}`);
  });

  it('answers its path’s other methods with 405 and other routes with our 404', async () => {
    const other = await call(target.url, 'GET', '/api/v1/users');
    expect(other.status).toBe(405);
    expect(other.headers.get('allow')).toBe('POST');
    const health = await call(target.url, 'GET', '/health');
    expect(health.status).toBe(404);
    expect(health.body.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('the getUserById target alone', () => {
  const target = useApp({ via: 'functions-framework', target: 'getUserById' });

  it('answers at / followed by the id', async () => {
    const missing = await call(target.url, 'GET', '/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('USER_NOT_FOUND');
    expect((await call(target.url, 'GET', '/not-a-uuid')).body.errors).toEqual([
      { field: 'path.id', message: 'must be a UUID' },
    ]);
  });
});

describe('standalone targets under the CLI (functions-framework --target)', () => {
  it('serves createUser alone, with problem details for what Express would answer itself', async () => {
    const port = await freePort();
    const service = await startService({
      command: [process.execPath, CLI, '--target=createUser', '--source=dist/functions/index.js', `--port=${port}`],
      env: { PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined },
      waitForListening: false,
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      let created: Awaited<ReturnType<typeof call>> | undefined;
      // The CLI prints no port of its own; wait for it to answer (PGlite boots on the first request).
      let exited = false;
      void service.exited.then(() => (exited = true));
      for (let i = 0; i < 300 && !created; i++) {
        // A CLI that could not start (the port taken after all) fails the test now, with its output.
        if (exited) throw new Error(`the CLI exited:\n${service.output()}`);
        created = await call(url, 'POST', '/api/v1/users', { json: newUser('standalone1') }).catch(() => undefined);
        if (!created) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(created?.status).toBe(201);
      expect(created?.body).toMatchObject({ username: 'standalone1' });
      const other = await call(url, 'GET', '/api/v1/users');
      expect(other.status).toBe(405); // the path exists in this target, but only for POST
      expect(other.headers.get('allow')).toBe('POST');
      expect((await call(url, 'GET', '/health')).status).toBe(404);

      // Express's body parser would answer this with an HTML page carrying a stack trace.
      const malformed = await call(url, 'POST', '/api/v1/users', {
        body: '{x',
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(malformed.body).toMatchObject({
        code: 'MALFORMED_JSON',
        request_id: malformed.headers.get('x-request-id'),
      });
      expect(malformed.text).not.toMatch(/<html|node_modules|at /i);
      const favicon = await call(url, 'GET', '/favicon.ico');
      expect(favicon.body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
      const oversize = await call(url, 'POST', '/', {
        body: JSON.stringify({ ...newUser('big'), full_name: 'x'.repeat(70 * 1024) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(oversize.status).toBe(413);
      expect(oversize.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    } finally {
      await service.stop('SIGKILL');
    }
  });
});
