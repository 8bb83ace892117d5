// Each handler is also its own Functions Framework target, served by the framework's own CLI.
import path from 'node:path';
import { call } from '../support/http';
import { ROOT, startService } from '../support/service';

const CLI = path.join(ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');

describe('standalone targets (functions-framework --target)', () => {
  it('serves createUser alone: POST /api/v1/users works, other routes are 404', async () => {
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const service = await startService({
      command: [process.execPath, CLI, '--target=createUser', '--source=dist/functions/index.js', `--port=${port}`],
      env: { PGLITE_DATA_DIR: 'memory://', DATABASE_URL: undefined },
      waitForListening: false,
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      let created: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 150 && !created; i++) {
        created = await call(url, 'POST', '/api/v1/users', {
          json: { username: 'standalone1', email: 'standalone1@example.com', full_name: 'Stand Alone' },
        }).catch(() => undefined);
        if (!created) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(created?.status).toBe(201);
      expect(created?.body).toMatchObject({ username: 'standalone1' });
      const other = await call(url, 'GET', '/api/v1/users');
      expect(other.status).toBe(405); // the path exists in this target, but only for POST
      expect(other.headers.get('allow')).toBe('POST');
      expect((await call(url, 'GET', '/health')).status).toBe(404);
    } finally {
      await service.stop('SIGKILL');
    }
  });
});
