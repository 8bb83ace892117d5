// Starts the compiled production entrypoint (dist/functions/main.js) as a child process, as the image runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const ENTRYPOINT = path.join(ROOT, 'dist/functions/main.js');

export interface LogLine {
  severity?: string;
  message?: string;
  httpRequest?: Record<string, unknown>;
  request_id?: string;
  [key: string]: unknown;
}

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
}

export async function startService(options: StartOptions = {}): Promise<Service> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, PORT: '0', LOG_LEVEL: 'info', ...options.env })) {
    if (value !== undefined) env[key] = value;
  }
  // A test chooses its database explicitly; never inherit one by accident.
  if (!options.env || !('DATABASE_URL' in options.env)) delete env.DATABASE_URL;
  const [command, ...args] = options.command ?? [process.execPath, ENTRYPOINT];
  const child = spawn(command as string, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const logs: LogLine[] = [];
  let raw = '';
  let pending = '';
  child.stderr?.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start within ${timeoutMs} ms:\n${raw}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        let parsed: LogLine;
        try {
          parsed = JSON.parse(line) as LogLine;
        } catch {
          parsed = { message: line };
        }
        logs.push(parsed);
        if (parsed.message === 'usersvc listening') {
          clearTimeout(timer);
          resolve(Number(parsed.port));
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening:\n${raw}`));
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
    logs,
    output: () => raw,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
