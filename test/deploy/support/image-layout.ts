// Rebuilds the runtime image's filesystem in a temp folder by following the Dockerfile's COPY lines, without Docker.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { commandOf, envOf, findStage, instructionsOf, workdirOf, type Dockerfile, type Stage } from './dockerfile';

const run = promisify(execFile);

export interface ImageLayout {
  /** The temp folder standing for the image's `/`. */
  fsRoot: string;
  /** The image's WORKDIR inside fsRoot: the working directory of the command. */
  workdir: string;
  /** The image's command line, with the image's node replaced by this machine's. */
  command: string[];
  /** The image's ENV. */
  env: Record<string, string>;
  /** The production install, as the Dockerfile runs it, and how long it took here. */
  install: { command: string[]; seconds: number };
  remove(): void;
}

const NPM_CI = /^npm ci(\s|$)/;
const isProductionInstall = (stage: Stage) =>
  instructionsOf(stage, 'RUN').some(({ args }) => NPM_CI.test(args) && /(^|\s)--omit=dev(\s|$)/.test(args));
const isBuild = (stage: Stage) => instructionsOf(stage, 'RUN').some(({ args }) => args === 'npm run build');

/** COPY's sources and destination; like Docker, a destination ending in / (or several sources) is a folder. */
function copyArguments(args: string): { sources: string[]; destination: string; intoDirectory: boolean } {
  const parts = args.split(/\s+/);
  const destination = parts.pop() as string;
  if (parts.length === 0) throw new Error(`COPY ${args}: no source`);
  return { sources: parts, destination, intoDirectory: parts.length > 1 || destination.endsWith('/') };
}

/** A container path of a stage, relative to that stage's WORKDIR. */
function relativeToWorkdir(stage: Stage, containerPath: string): string {
  const relative = path.posix.relative(workdirOf(stage), path.posix.resolve(workdirOf(stage), containerPath));
  if (relative.startsWith('..')) throw new Error(`${containerPath} is outside ${workdirOf(stage)}`);
  return relative;
}

/**
 * Runs a production-dependencies stage for real: its context COPYs, then its `npm ci ... --omit=dev` with
 * --prefer-offline added so the warm npm cache serves it. Any other RUN is refused.
 */
async function runInstallStage(stage: Stage, context: string, into: string): Promise<ImageLayout['install']> {
  let workdir = into;
  let install: ImageLayout['install'] | undefined;
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR') {
      workdir = path.join(into, instruction.args);
      mkdirSync(workdir, { recursive: true });
    } else if (instruction.keyword === 'COPY') {
      if (instruction.flags.from) throw new Error(`line ${instruction.line}: COPY --from in the install stage`);
      const { sources, destination: written, intoDirectory } = copyArguments(instruction.args);
      const destination = path.resolve(workdir, written);
      for (const source of sources) {
        const target = intoDirectory ? path.join(destination, path.basename(source)) : destination;
        cpSync(path.join(context, source), target, { recursive: true });
      }
    } else if (instruction.keyword === 'RUN') {
      if (!NPM_CI.test(instruction.args)) throw new Error(`line ${instruction.line}: only npm ci is reproduced`);
      const [npm, ...args] = [...instruction.args.split(/\s+/), '--prefer-offline'];
      const started = process.hrtime.bigint();
      await run(npm as string, args, { cwd: workdir, env: { ...process.env, NODE_ENV: 'production' } });
      install = { command: [npm as string, ...args], seconds: Number(process.hrtime.bigint() - started) / 1e9 };
    } else if (!['ENV', 'ARG', 'LABEL'].includes(instruction.keyword)) {
      throw new Error(`line ${instruction.line}: ${instruction.keyword} is not reproduced in an install stage`);
    }
  }
  if (!install) throw new Error(`stage ${stage.name} runs no npm ci`);
  return install;
}

/**
 * Follows the final stage's COPY lines: from the build context (the repository), from the build stage (its dist/
 * is this repository's dist/, built by `npm run build` before the tests) and from the production-dependencies
 * stage (installed for real). The final stage must not RUN anything: it has no shell.
 */
export async function reproduceImageLayout(dockerfile: Dockerfile, context: string): Promise<ImageLayout> {
  const fsRoot = mkdtempSync(path.join(os.tmpdir(), 'usersvc-image-'));
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'usersvc-stage-'));
  const remove = () => {
    rmSync(fsRoot, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const { final } = dockerfile;
    let workdir = '/';
    let install: ImageLayout['install'] | undefined;
    for (const instruction of final.instructions) {
      if (instruction.keyword === 'WORKDIR') {
        workdir = path.posix.resolve(workdir, instruction.args);
        mkdirSync(path.join(fsRoot, workdir), { recursive: true });
        continue;
      }
      if (instruction.keyword === 'RUN') throw new Error(`line ${instruction.line}: the runtime stage runs a command`);
      if (instruction.keyword !== 'COPY') continue;
      const { sources, destination: written, intoDirectory } = copyArguments(instruction.args);
      const destination = path.join(fsRoot, path.posix.resolve(workdir, written));
      for (const source of sources) {
        const target = intoDirectory ? path.join(destination, path.posix.basename(source)) : destination;
        mkdirSync(path.dirname(target), { recursive: true });
        const from = instruction.flags.from;
        if (!from) {
          cpSync(path.join(context, source), target, { recursive: true });
          continue;
        }
        const stage = findStage(dockerfile, from);
        const relative = relativeToWorkdir(stage, source);
        if (isProductionInstall(stage) && relative === 'node_modules') {
          install = await runInstallStage(stage, context, scratch);
          renameSync(path.join(scratch, workdirOf(stage), 'node_modules'), target);
        } else if (isBuild(stage) && (relative === 'dist' || relative.startsWith('dist/'))) {
          cpSync(path.join(context, relative), target, { recursive: true });
        } else {
          throw new Error(`line ${instruction.line}: cannot reproduce COPY --from=${from} ${source}`);
        }
      }
    }
    if (!install) throw new Error('the runtime stage copies no production node_modules');
    const [node, ...args] = commandOf(dockerfile);
    if (node !== '/nodejs/bin/node' && node !== 'node') throw new Error(`the image runs ${node}, not node`);
    return {
      fsRoot,
      workdir: path.join(fsRoot, workdir),
      command: [process.execPath, ...args],
      env: envOf(final),
      install,
      remove,
    };
  } catch (error) {
    remove();
    throw error;
  }
}
