// Runs the image's command line in a reproduced layout, with the image's ENV and nothing inherited from the test.
import { spawn, type ChildProcess } from 'node:child_process';
import type { LogLine } from '../../support/service';

export interface ContainerOptions {
  cwd: string;
  command: string[];
  /** The image's ENV plus what the platform would set; the test's own environment is not passed on. */
  env: Record<string, string | undefined>;
}

export interface RunningContainer {
  url: string;
  process: ChildProcess;
  logs: LogLine[];
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

function spawnContainer({ cwd, command, env }: ContainerOptions): ChildProcess {
  const clean: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) clean[key] = value;
  const [program, ...args] = command;
  if (!program) throw new Error('empty command');
  return spawn(program, args, { cwd, env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts a long-running command and resolves once it logs "usersvc listening" (its port read from the log). */
export async function startContainer(options: ContainerOptions, timeoutMs = 30_000): Promise<RunningContainer> {
  const child = spawnContainer(options);
  const logs: LogLine[] = [];
  let raw = '';
  let pending = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stderr?.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after ${timeoutMs} ms:\n${raw}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter((text) => text.trim())) {
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
      reject(new Error(`exited with ${code} before listening:\n${raw}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
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

/** Runs a command to completion (a one-shot like the migration) and returns its exit code and output. */
export async function runContainer(options: ContainerOptions): Promise<{ code: number | null; output: string }> {
  const child = spawnContainer(options);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  return { code, output };
}
