// Rebuilds the runtime image's filesystem in a temp folder by following the Dockerfile's COPY lines, without Docker.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

export interface ImageLayout {
  /** The temp folder standing for the image's `/`. */
  fsRoot: string;
  /** The image's WORKDIR inside fsRoot: the working directory of the command. */
  workdir: string;
  /** The image's command line, with the image's node replaced by this machine's. */
  command: string[];
  /** The image's ENV. */
  env: Record<string, string>;
  /** The production install, as the Dockerfile runs it, and how long it took here (see production-install.ts). */
  install: ProductionInstall;
  remove(): void;
}

const isBuild = (stage: Stage) => instructionsOf(stage, 'RUN').some(({ args }) => args === 'npm run build');

/** A container path of a stage, relative to that stage's WORKDIR. */
function relativeToWorkdir(stage: Stage, containerPath: string): string {
  const relative = path.posix.relative(workdirOf(stage), path.posix.resolve(workdirOf(stage), containerPath));
  if (relative.startsWith('..')) throw new Error(`${containerPath} is outside ${workdirOf(stage)}`);
  return relative;
}

/**
 * Follows the final stage's COPY lines: from the build context (the repository), from the build stage (its dist/
 * is this repository's dist/, built by `npm run build` before the tests) and from the production-dependencies
 * stage (installed for real, or an earlier run's install of the same input reused). The final stage must not RUN
 * anything: it has no shell.
 */
export async function reproduceImageLayout(dockerfile: Dockerfile, context: string): Promise<ImageLayout> {
  const fsRoot = mkdtempSync(path.join(os.tmpdir(), 'usersvc-image-'));
  const remove = () => rmSync(fsRoot, { recursive: true, force: true });
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
          install = await installProductionDependencies(stage, context, target);
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
