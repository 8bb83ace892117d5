// The dev loop (`npm run dev`): runs functions/main.ts under ts-node and restarts it when a source file under
// functions/ or shared/ changes. It watches folders, not files, because editors that save by writing a new file and
// renaming it over the old one (vim's default, JetBrains' "safe write") leave a file watch on the old, deleted file:
// Node 20's `node --watch` then stops reloading after the first such save (nodejs/node#54774), and `--watch-path`
// misses a file renamed in from another folder. A folder's watch sees every file that lands in it, however it lands.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const FOLDERS = ['functions', 'shared'];
const ENTRY = ['-r', 'ts-node/register/transpile-only', 'functions/main.ts'];
// Source files only: not an editor's swap, backup or temporary file (.main.ts.swp, main.ts~, main.ts___jb_tmp___).
const SOURCE = /\.(ts|js|json)$/;
const RESTART_DELAY_MS = 100;
const STOP_TIMEOUT_MS = 5000;

const watchers = new Map<string, FSWatcher>();
let child: ChildProcess | undefined;
let timer: NodeJS.Timeout | undefined;
let restarting = false;
let changedAgain = false;
let stopping = false;

const say = (text: string) => process.stderr.write(`dev: ${text}\n`);

function start(): void {
  const started = spawn(process.execPath, ENTRY, { cwd: ROOT, stdio: 'inherit' });
  child = started;
  started.on('exit', (code, signal) => {
    if (child === started) child = undefined;
    if (stopping) process.exit(code ?? 0);
    if (!restarting) say(`exited (${signal ?? `code ${code}`}); waiting for a change`);
  });
}

/** Stops the running service (its own SIGTERM drain), then starts a new one; changes meanwhile restart it once more. */
async function restart(file: string): Promise<void> {
  if (restarting) {
    changedAgain = true;
    return;
  }
  restarting = true;
  say(`${file} changed; restarting`);
  const running = child;
  if (running && running.exitCode === null && running.signalCode === null) {
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const forced = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(forced);
  }
  restarting = false;
  if (stopping) return;
  start();
  if (changedAgain) {
    changedAgain = false;
    await restart(file);
  }
}

function watchTree(folder: string): void {
  if (watchers.has(folder)) return;
  const watcher = watch(folder, (_event, name) => {
    const file = name ? path.join(folder, name.toString()) : folder;
    if (name && !watchers.has(file) && isFolder(file)) watchTree(file);
    if (name && !SOURCE.test(name.toString())) return;
    clearTimeout(timer);
    timer = setTimeout(() => void restart(path.relative(ROOT, file)), RESTART_DELAY_MS);
  });
  // A removed folder ends its watch.
  watcher.on('error', () => {
    watcher.close();
    watchers.delete(folder);
  });
  watchers.set(folder, watcher);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) watchTree(path.join(folder, entry.name));
  }
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

// Ctrl-C reaches the whole process group, the service included: let it drain, and signal it only if it lingers.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    for (const watcher of watchers.values()) watcher.close();
    clearTimeout(timer);
    if (!child) process.exit(0);
    setTimeout(() => child?.kill(signal), 1000).unref();
  });
}

for (const folder of FOLDERS) watchTree(path.join(ROOT, folder));
start();
