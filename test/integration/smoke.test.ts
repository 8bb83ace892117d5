// scripts/smoke.sh, the end-to-end check used after every deploy, passes against a real instance and cleans up.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { useApp } from '../support/app';
import { call } from '../support/http';
import { ROOT } from '../support/service';

const run = promisify(execFile);
const SMOKE = path.join(ROOT, 'scripts/smoke.sh');

describe('scripts/smoke.sh', () => {
  const service = useApp({ env: { API_KEY: 'smoke-key-0123456789' } });

  it('passes every check against a running service and leaves no user behind', async () => {
    const listed = async () =>
      (
        await call<{ data: unknown[] }>(service.url, 'GET', '/api/v1/users?limit=200', {
          headers: { 'x-api-key': 'smoke-key-0123456789' },
        })
      ).body.data.length;
    const before = await listed();
    const { stdout } = await run('bash', [SMOKE, service.url, 'smoke-key-0123456789']);
    expect(stdout).toMatch(/smoke: \d+ passed, 0 failed/);
    expect(await listed()).toBe(before);
  });

  it('fails (non-zero exit) when the API key is wrong', async () => {
    await expect(run('bash', [SMOKE, service.url, 'wrong-key-0123456789'])).rejects.toMatchObject({ code: 1 });
  });
});
