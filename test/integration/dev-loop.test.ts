// `npm run dev` restarts the service on every save, also for editors that save by writing a new file and renaming it
// over the old one (vim's default, JetBrains' "safe write"): node --watch on Node 20 stops watching a file after the
// first such save (nodejs/node#54774), so the script watches the source folders instead.
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const script = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { dev: string } })
  .scripts.dev;

/** Saves a file as a rename-saving editor does: the new content in another file, renamed over the old one. */
function saveByRename(file: string, temporary: string): void {
  writeFileSync(temporary, readFileSync(file));
  renameSync(temporary, file);
}

describe('npm run dev', () => {
  it('restarts on each of two saves by rename of a loaded source file', async () => {
    const child = spawn('sh', ['-c', script], {
      cwd: ROOT,
      // An unreachable PostgreSQL: the pool connects on first use, so each start is quick and touches no data.
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: 'postgres://dev:dev@127.0.0.1:1/none' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const starts = () => output.split('\n').filter((line) => / info usersvc listening /.test(line)).length;
    const waitForStarts = async (count: number, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (starts() < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} starts, saw ${starts()}:\n${output.slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await waitForStarts(1);
      const file = path.join(ROOT, 'functions/probes/health.ts');
      // As JetBrains' safe write does, the new content beside the file; then from another folder, as `mv` would.
      saveByRename(file, `${file}___jb_tmp___`);
      await waitForStarts(2);
      saveByRename(file, path.join(ROOT, `.dev-loop-save-${process.pid}.tmp`));
      await waitForStarts(3);
      // Pretty lines on a pipe: no colour codes.
      expect(output).not.toContain('\u001b[');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGTERM');
      await exited;
    }
  }, 180_000);
});
