// Runs the image's command line in a reproduced layout, with the image's ENV and nothing inherited from the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { followService, type Service } from '../../support/service';

export interface ContainerOptions {
  cwd: string;
  command: string[];
  /** The image's ENV plus what the platform would set; the test's own environment is not passed on. */
  env: Record<string, string | undefined>;
}

/** A running container is followed exactly like a service started from the repository. */
export type RunningContainer = Service;

function spawnContainer({ cwd, command, env }: ContainerOptions): ChildProcess {
  const clean: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) clean[key] = value;
  const [program, ...args] = command;
  if (!program) throw new Error('empty command');
  return spawn(program, args, { cwd, env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts a long-running command and resolves once it logs "usersvc listening" (its port read from the log). */
export function startContainer(options: ContainerOptions, timeoutMs = 30_000): Promise<RunningContainer> {
  return followService(spawnContainer(options), { timeoutMs });
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
