// A small Dockerfile reader: stages, instructions, ENV, and the command line the final image runs.
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  /** The arguments after the keyword and its --flags, as written. */
  args: string;
  flags: Record<string, string>;
  /** The JSON (exec) form's array, when the arguments are one. */
  exec?: string[];
  line: number;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  stages: Stage[];
  /** The stage that becomes the image: the last one. */
  final: Stage;
}

function parseExec(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed = JSON.parse(args) as unknown;
    return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function parseDockerfile(text: string): Dockerfile {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const start = index;
    let logical = lines[index] ?? '';
    if (/^\s*#/.test(logical) || logical.trim() === '') continue;
    // Continuation lines; comment lines inside a continued instruction are dropped, as Docker does.
    while (/\\\s*$/.test(logical) && index + 1 < lines.length) {
      index++;
      const next = lines[index] ?? '';
      logical = logical.replace(/\\\s*$/, ' ') + (/^\s*#/.test(next) ? '' : next);
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(logical);
    if (!match) throw new Error(`Dockerfile line ${start + 1}: cannot read "${logical}"`);
    const keyword = (match[1] as string).toUpperCase();
    let rest = (match[2] as string).trim();
    const flags: Record<string, string> = {};
    while (rest.startsWith('--')) {
      const token = rest.split(/\s/, 1)[0] as string;
      const equals = token.indexOf('=');
      flags[token.slice(2, equals === -1 ? undefined : equals)] = equals === -1 ? 'true' : token.slice(equals + 1);
      rest = rest.slice(token.length).trimStart();
    }
    const instruction: Instruction = { keyword, args: rest, flags, exec: parseExec(rest), line: start + 1 };
    if (keyword === 'FROM') {
      const [image, as, name, ...extra] = rest.split(/\s+/);
      if (!image || extra.length > 0 || (as !== undefined && (as.toUpperCase() !== 'AS' || !name))) {
        throw new Error(`Dockerfile line ${start + 1}: cannot read FROM ${rest}`);
      }
      stages.push({ image, name, instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`Dockerfile line ${start + 1}: ${keyword} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  const final = stages[stages.length - 1];
  if (!final) throw new Error('Dockerfile has no FROM');
  return { stages, final };
}

export const readDockerfile = (file: string) => parseDockerfile(readFileSync(file, 'utf8'));

/** COPY's sources and destination; like Docker, a destination ending in / (or several sources) is a folder. */
export function copyArguments(args: string): { sources: string[]; destination: string; intoDirectory: boolean } {
  const parts = args.split(/\s+/);
  const destination = parts.pop() as string;
  if (parts.length === 0) throw new Error(`COPY ${args}: no source`);
  return { sources: parts, destination, intoDirectory: parts.length > 1 || destination.endsWith('/') };
}

export const instructionsOf = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword);

export function findStage(dockerfile: Dockerfile, name: string): Stage {
  const stage = dockerfile.stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`Dockerfile has no stage named ${name}`);
  return stage;
}

/** ENV KEY=VALUE [KEY=VALUE...] (and the old ENV KEY VALUE form), quotes removed. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructionsOf(stage, 'ENV')) {
    if (!args.includes('=')) {
      const [key, ...value] = args.split(/\s+/);
      env[key as string] = value.join(' ');
      continue;
    }
    for (const pair of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const raw = pair[2] as string;
      env[pair[1] as string] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    }
  }
  return env;
}

/** The last WORKDIR of a stage (absolute paths only, which is all we write). */
export function workdirOf(stage: Stage): string {
  const workdir = instructionsOf(stage, 'WORKDIR').pop()?.args ?? '/';
  if (!workdir.startsWith('/')) throw new Error(`relative WORKDIR ${workdir} is not supported`);
  return workdir;
}

// The ENTRYPOINT a base image brings, for the base images we use; Docker keeps it unless the Dockerfile sets one.
const BASE_ENTRYPOINTS: Array<[RegExp, string[]]> = [[/^gcr\.io\/distroless\/nodejs\d+-/, ['/nodejs/bin/node']]];

/**
 * The command line the container runs, by Docker's rules: ENTRYPOINT (exec form) followed by CMD (exec form).
 * Shell forms are refused: the runtime image has no shell to run them, and `sh -c` would not pass SIGTERM on.
 */
export function commandOf(dockerfile: Dockerfile): string[] {
  const { final } = dockerfile;
  const entrypoint = instructionsOf(final, 'ENTRYPOINT').pop();
  const cmd = instructionsOf(final, 'CMD').pop();
  for (const instruction of [entrypoint, cmd]) {
    if (instruction && !instruction.exec) {
      throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} must use the exec (JSON) form`);
    }
  }
  const inherited = BASE_ENTRYPOINTS.find(([pattern]) => pattern.test(final.image))?.[1];
  const prefix = entrypoint?.exec ?? inherited;
  if (!prefix) throw new Error(`unknown ENTRYPOINT of base image ${final.image}`);
  return [...prefix, ...(cmd?.exec ?? [])];
}
