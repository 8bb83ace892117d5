// Starts the compiled production entrypoint (dist/functions/main.js) as a child process, as the image runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { captureLogs, type LogLine } from './logs';

export type { LogLine } from './logs';

export const ROOT = path.resolve(__dirname, '../..');
export const ENTRYPOINT = path.join(ROOT, 'dist/functions/main.js');

export interface Service {
  url: string;
  port: number;
  process: ChildProcess;
  /** Every stdout line so far, parsed as JSON where it is JSON. */
  logs: LogLine[];
  /** Raw stdout and stderr so far. */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Resolve when the process logs that it listens (default) or as soon as it is spawned. */
  waitForListening?: boolean;
  timeoutMs?: number;
  command?: string[];
  /** Where it runs (default: this checkout); another build's worktree when `command` starts that build. */
  cwd?: string;
}

export async function startService(options: StartOptions = {}): Promise<Service> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, PORT: '0', LOG_LEVEL: 'info', ...options.env })) {
    if (value !== undefined) env[key] = value;
  }
  // A test chooses its database explicitly; never inherit one by accident.
  if (!options.env || !('DATABASE_URL' in options.env)) delete env.DATABASE_URL;
  const [command, ...args] = options.command ?? [process.execPath, ENTRYPOINT];
  const child = spawn(command as string, args, { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return followService(child, options);
}

/**
 * Collects a spawned service's output (stdout lines parsed as JSON log lines) and, unless told not to, resolves once
 * it logs "usersvc listening" with its port. A service that fails to start is killed, never left behind.
 */
export async function followService(
  child: ChildProcess,
  options: Pick<StartOptions, 'waitForListening' | 'timeoutMs'> = {},
): Promise<Service> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let announced: (line: LogLine) => void = () => undefined;
  const capture = captureLogs((line) => announced(line));
  child.stdout?.pipe(capture.stream);
  const output = () => capture.output() + stderr;

  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start within ${timeoutMs} ms:\n${output()}`)),
      timeoutMs,
    );
    announced = (line) => {
      if (line.message !== 'usersvc listening') return;
      clearTimeout(timer);
      resolve(Number(line.port));
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening:\n${output()}`));
    });
  });

  let port = 0;
  if (options.waitForListening === false) {
    listening.catch(() => undefined);
  } else {
    try {
      port = await listening;
    } catch (error) {
      child.kill('SIGKILL'); // never leave a half-started service behind
      throw error;
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    logs: capture.logs,
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
