// The image's production node_modules: its prod-deps stage run for real once per distinct input, then reused.
//
// The stage's `npm ci --omit=dev` writes ~130 MB in ~9,000 files, about ten seconds of CPU: the largest single cost of
// `npm test`. What it installs depends only on what the stage copies in (package.json, package-lock.json), on its
// instructions and on the platform, so the tree is kept in the system temp folder under a hash of those and each
// layout gets a hard-linked copy of it (a real folder, as in the image; a plain copy where links cannot be made).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyArguments, instructionsOf, type Stage } from './dockerfile';

const run = promisify(execFile);

export interface ProductionInstall {
  /** The stage's npm command line, as run here. */
  command: string[];
  /** How long it took here; 0 when an earlier run's tree was reused. */
  seconds: number;
  reused: boolean;
}

const NPM_CI = /^npm ci(\s|$)/;
export const isProductionInstall = (stage: Stage) =>
  instructionsOf(stage, 'RUN').some(({ args }) => NPM_CI.test(args) && /(^|\s)--omit=dev(\s|$)/.test(args));

/** The stage's npm ci, with --prefer-offline added so the warm npm cache serves it. Any other RUN is refused. */
function npmCommandOf(stage: Stage): string[] {
  const runs = instructionsOf(stage, 'RUN');
  const other = runs.find(({ args }) => !NPM_CI.test(args));
  if (other) throw new Error(`line ${other.line}: only npm ci is reproduced`);
  if (runs.length !== 1) throw new Error(`stage ${stage.name} must run npm ci exactly once`);
  return [...(runs[0] as { args: string }).args.split(/\s+/), '--prefer-offline'];
}

/** Every file a path names (itself, or what a folder holds), so that their contents can be hashed. */
function filesUnder(file: string): string[] {
  if (!statSync(file).isDirectory()) return [file];
  return readdirSync(file, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => path.join(file, name))
    .filter((name) => statSync(name).isFile());
}

/** A name for the stage's result: its instructions, the contents of what it copies in, the platform. */
function keyOf(stage: Stage, context: string): string {
  const hash = createHash('sha256').update(`${process.platform} ${process.arch}\n`);
  for (const instruction of stage.instructions) {
    hash.update(`${instruction.keyword} ${JSON.stringify(instruction.flags)} ${instruction.args}\n`);
    if (instruction.keyword !== 'COPY') continue;
    for (const source of copyArguments(instruction.args).sources) {
      for (const file of filesUnder(path.join(context, source))) {
        hash.update(`${path.relative(context, file)}\n`).update(readFileSync(file));
      }
    }
  }
  return hash.digest('hex').slice(0, 24);
}

const KEPT_PREFIX = 'usersvc-prod-deps-';
/** A kept tree unused this long is removed when another is published (each lockfile change leaves one behind). */
const KEPT_FOR_MS = 7 * 24 * 3600 * 1000;

function removeStaleTrees(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const kept = path.join(os.tmpdir(), name);
    if (!name.startsWith(KEPT_PREFIX) || !/^[0-9a-f]{24}$/.test(name.slice(KEPT_PREFIX.length))) continue;
    const lastUsed = statSync(kept, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (Date.now() - lastUsed > KEPT_FOR_MS) rmSync(kept, { recursive: true, force: true });
  }
}

/** Whether a kept tree is whole: every package npm recorded in its hidden lockfile is still there. */
function isIntact(modules: string): boolean {
  const lockfile = path.join(modules, '.package-lock.json');
  if (!existsSync(lockfile)) return false;
  const { packages } = JSON.parse(readFileSync(lockfile, 'utf8')) as { packages?: Record<string, unknown> };
  return Object.keys(packages ?? {}).every((name) => existsSync(path.join(modules, '..', name, 'package.json')));
}

/** Runs the stage in `into`: its WORKDIR and context COPYs, then its npm ci. Returns the installed node_modules. */
async function runStage(stage: Stage, context: string, into: string, command: string[]): Promise<string> {
  let workdir = into;
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
      const [npm, ...args] = command;
      await run(npm as string, args, { cwd: workdir, env: { ...process.env, NODE_ENV: 'production' } });
    } else if (!['ENV', 'ARG', 'LABEL'].includes(instruction.keyword)) {
      throw new Error(`line ${instruction.line}: ${instruction.keyword} is not reproduced in an install stage`);
    }
  }
  return path.join(workdir, 'node_modules');
}

/**
 * Puts the stage's node_modules at `target`: installs it (into a fresh folder, published by one rename, so that a
 * concurrent run or an interrupted one never sees half a tree) unless an intact one for the same input is kept.
 */
export async function installProductionDependencies(
  stage: Stage,
  context: string,
  target: string,
): Promise<ProductionInstall> {
  const command = npmCommandOf(stage);
  const kept = path.join(os.tmpdir(), `${KEPT_PREFIX}${keyOf(stage, context)}`);
  const modules = path.join(kept, 'node_modules');
  let seconds = 0;
  const reused = isIntact(modules);
  if (!reused) {
    const fresh = mkdtempSync(path.join(os.tmpdir(), `${KEPT_PREFIX}new-`));
    try {
      const started = process.hrtime.bigint();
      const installed = await runStage(stage, context, path.join(fresh, 'stage'), command);
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      renameSync(installed, path.join(fresh, 'node_modules'));
      rmSync(path.join(fresh, 'stage'), { recursive: true, force: true });
      rmSync(kept, { recursive: true, force: true }); // a damaged tree left by someone else
      renameSync(fresh, kept);
      removeStaleTrees();
    } catch (error) {
      // Another run may have published the same tree first; only a tree that is still not there is a failure.
      if (!isIntact(modules)) throw error;
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }
  const now = new Date();
  utimesSync(kept, now, now); // in use: not stale
  try {
    await run('cp', ['-al', modules, target]);
  } catch {
    rmSync(target, { recursive: true, force: true });
    cpSync(modules, target, { recursive: true, verbatimSymlinks: true });
  }
  return { command, seconds, reused };
}
