// Rebuilds the runtime image's filesystem in a temp folder by following the Dockerfile's COPY lines, without Docker.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  commandOf,
  copyArguments,
  envOf,
  findStage,
  instructionsOf,
  workdirOf,
  type Dockerfile,
  type Stage,
} from './dockerfile';
import { installProductionDependencies, isProductionInstall, type ProductionInstall } from './production-install';

const run = promisify(execFile);

export interface ImageLayout {
  /** The temp folder standing for the image's `/`. */
  fsRoot: string;
  /** The image's WORKDIR inside fsRoot: the working directory of the command. */
  workdir: string;
  /** The image's command line, with the image's node replaced by this machine's. */
  command: string[];
  /** The image's ENV (an absolute path into the image's filesystem points into fsRoot). */
  env: Record<string, string>;
  /** The production install, as the Dockerfile runs it, and how long it took here (see production-install.ts). */
  install: ProductionInstall;
  remove(): void;
}

const isBuild = (stage: Stage) => instructionsOf(stage, 'RUN').some(({ args }) => args === 'npm run build');
const NODE_BINARIES = ['/nodejs/bin/node', 'node'];
/**
 * A stage of the runtime's own image that runs node over what the runtime also copies (the compile cache): its RUN
 * lines are node commands in exec form (that image has no shell).
 */
export const isNodeRunStage = (stage: Stage, final: Stage) =>
  stage !== final &&
  stage.image === final.image &&
  instructionsOf(stage, 'RUN').length > 0 &&
  instructionsOf(stage, 'RUN').every(({ exec }) => exec !== undefined && NODE_BINARIES.includes(exec[0] as string));

/** A container path of a stage, relative to that stage's WORKDIR. */
function relativeToWorkdir(stage: Stage, containerPath: string): string {
  const relative = path.posix.relative(workdirOf(stage), path.posix.resolve(workdirOf(stage), containerPath));
  if (relative.startsWith('..')) throw new Error(`${containerPath} is outside ${workdirOf(stage)}`);
  return relative;
}

/**
 * Runs a node stage (isNodeRunStage) in the reproduced runtime layout itself, which holds what the stage copies at the
 * same paths (the Dockerfile test checks that), with this machine's node; the folder its ENV names as the output
 * (`from`, e.g. NODE_COMPILE_CACHE) is pointed at the runtime's destination instead.
 */
async function runNodeStage(stage: Stage, workdir: string, from: string, target: string): Promise<void> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(envOf(stage))) env[name] = value === from ? target : value;
  for (const { exec } of instructionsOf(stage, 'RUN')) {
    const [, ...args] = exec as string[];
    await run(process.execPath, args, { cwd: workdir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  }
}

/** The image's ENV, with absolute paths that exist in the reproduced filesystem pointed into it. */
function layoutEnv(env: Record<string, string>, fsRoot: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      value.startsWith('/') && existsSync(path.join(fsRoot, value)) ? path.join(fsRoot, value) : value,
    ]),
  );
}

/**
 * Follows the final stage's COPY lines: from the build context (the repository), from the build stage (its dist/
 * is this repository's dist/, built by `npm run build` before the tests) and from the production-dependencies
 * stage (installed for real, or an earlier run's install of the same input reused). Last, a node stage of the runtime's image (the compile cache)
 * is run in the layout. The final stage must not RUN
 * anything: it has no shell.
 */
export async function reproduceImageLayout(dockerfile: Dockerfile, context: string): Promise<ImageLayout> {
  const fsRoot = mkdtempSync(path.join(os.tmpdir(), 'usersvc-image-'));
  const remove = () => rmSync(fsRoot, { recursive: true, force: true });
  try {
    const { final } = dockerfile;
    let workdir = '/';
    let install: ImageLayout['install'] | undefined;
    const nodeStageCopies: { stage: Stage; from: string; target: string }[] = [];
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
        if (isNodeRunStage(stage, final)) {
          nodeStageCopies.push({ stage, from: path.posix.resolve(workdirOf(stage), source), target });
          continue;
        }
        const relative = relativeToWorkdir(stage, source);
        if (isProductionInstall(stage) && relative === 'node_modules') {
          install = await installProductionDependencies(stage, context, target);
        } else if (isBuild(stage) && (relative === 'dist' || relative.startsWith('dist/'))) {
          cpSync(path.join(context, relative), target, { recursive: true });
        } else {
          throw new Error(`line ${instruction.line}: cannot reproduce COPY --from=${from} ${source}`);
        }
      }
    }
    if (!install) throw new Error('the runtime stage copies no production node_modules');
    for (const { stage, from, target } of nodeStageCopies) {
      await runNodeStage(stage, path.join(fsRoot, workdir), from, target);
    }
    const [node, ...args] = commandOf(dockerfile);
    if (!NODE_BINARIES.includes(node as string)) throw new Error(`the image runs ${node}, not node`);
    return {
      fsRoot,
      workdir: path.join(fsRoot, workdir),
      command: [process.execPath, ...args],
      env: layoutEnv(envOf(final), fsRoot),
      install,
      remove,
    };
  } catch (error) {
    remove();
    throw error;
  }
}
