// `npm run lint:migrations` (part of `npm run check`): every migration in migrations/ sets its own lock_timeout and
// statement_timeout, and passes squawk (.squawk.toml), which flags statements that lock or rewrite a busy table.
// Each direction is read the way node-pg-migrate runs it (its own parser, its own MigrationBuilder), so what is
// linted is what runs, and squawk is told whether it runs inside a transaction. test/unit/migrations-lint.test.ts
// runs the same checks file by file, and shows them catching bad migrations.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import MigrationBuilder from 'node-pg-migrate/dist/migrationBuilder';
import { getActions } from 'node-pg-migrate/dist/sqlMigration';
import type { DB, MigrationAction, MigrationBuilderActions } from 'node-pg-migrate/dist/types';
import { MIGRATIONS_DIR } from '../shared/db/migrate';

const ROOT = path.dirname(MIGRATIONS_DIR);
/**
 * squawk's binary, as shipped by the squawk-cli package's platform package (@squawk-cli/linux-x64, ...). Run directly,
 * it answers in ~40 ms; the package's node launcher (node_modules/.bin/squawk, the fallback) costs ~0.4 s more a run.
 */
const platformBinary = path.join(ROOT, 'node_modules', '@squawk-cli', `${process.platform}-${process.arch}`, 'bin');
export const SQUAWK =
  [path.join(platformBinary, 'squawk'), path.join(platformBinary, 'squawk.exe')].find((f) => existsSync(f)) ??
  path.join(ROOT, 'node_modules', '.bin', 'squawk');
const SQUAWK_CONFIG = path.join(ROOT, '.squawk.toml');

/**
 * lock_timeout must stay below the API's DB_STATEMENT_TIMEOUT_MS default (5 s): while a migration waits for its lock,
 * the API's queries on that table queue behind it, and they must get through before their own timeout fires.
 */
export const LOCK_TIMEOUT_BELOW_MS = 5000;

/** One direction of one migration, as node-pg-migrate would run it. */
export interface MigrationSection {
  /** Relative to the project root, for messages. */
  file: string;
  direction: 'up' | 'down';
  /** What runs. For a .sql file, the file's own lines (the other section blanked), so squawk's line numbers match. */
  sql: string;
  /** Inside BEGIN ... COMMIT (every .sql file; a .js file unless it calls pgm.noTransaction()). */
  transactional: boolean;
}

/** The files node-pg-migrate would load from a migrations folder: every file but dot-files, in name order. */
export function migrationFiles(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

const queried = () => {
  throw new Error('a migration that queries the database while it is built cannot be linted: use pgm.sql()');
};
const notADatabase = { query: queried, select: queried } as unknown as DB;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Runs one direction against node-pg-migrate's own MigrationBuilder: its SQL steps, and whether it wants a transaction. */
async function build(action: MigrationAction): Promise<{ steps: string[]; transactional: boolean }> {
  const pgm = new MigrationBuilder(notADatabase, undefined, false, quiet);
  if (action.length === 2) await new Promise<void>((resolve) => void action(pgm, resolve));
  else await action(pgm);
  return { steps: pgm.getSqlSteps(), transactional: pgm.isUsingTransaction() };
}

/** A migration file's directions (a direction it does not define is left out). */
export async function readMigration(file: string): Promise<MigrationSection[]> {
  const name = path.relative(ROOT, file);
  const extension = path.extname(file);
  if (extension !== '.sql' && extension !== '.js') {
    throw new Error(`${name}: migrations are .sql files, or .js files where pgm.noTransaction() is needed`);
  }
  const text = readFileSync(file, 'utf8');
  const actions: MigrationBuilderActions =
    extension === '.sql' ? getActions(text) : (createRequire(file)(file) as MigrationBuilderActions);
  const sections: MigrationSection[] = [];
  for (const direction of ['up', 'down'] as const) {
    const action = actions[direction];
    if (typeof action !== 'function') continue;
    const { steps, transactional } = await build(action);
    let sql = steps.join('\n');
    if (extension === '.sql') {
      // node-pg-migrate runs the section's text as one query (adding a final ';'); squawk gets it where it stands.
      const at = text.indexOf(sql.replace(/;$/, ''));
      if (at >= 0) sql = text.slice(0, at).replace(/[^\n]/g, '') + sql;
    }
    sections.push({ file: name, direction, sql, transactional });
  }
  return sections;
}

/** A PostgreSQL duration setting ('2s', '500ms', '1min', 2000) in milliseconds; undefined when unreadable. */
export function durationMs(value: string): number | undefined {
  const unit = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  const name = (/[a-z]*$/i.exec(value.trim())?.[0] ?? '').toLowerCase();
  const amount = value
    .trim()
    .slice(0, value.trim().length - name.length)
    .trim();
  if (!/^[\d.]+$/.test(amount) || !Number.isFinite(Number(amount)) || !(name === '' || name in unit)) {
    return undefined;
  }
  return Number(amount) * unit[(name || 'ms') as keyof typeof unit];
}

/** The statements, comments dropped; split at every ';' (a DO block's body too, which no rule below looks into). */
const statementsOf = (sql: string) =>
  sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .split(';')
    .map((statement) => statement.trim())
    .filter(Boolean);
const SET = /^SET\s+(LOCAL\s|SESSION\s)?\s*(\w+)\s*(?:=|TO\s)\s*(\S.*)$/is;
const TIMEOUTS = ['lock_timeout', 'statement_timeout'] as const;

/**
 * What a direction lacks: lock_timeout and statement_timeout set before its first other statement, with SET LOCAL
 * inside a transaction (a plain SET would outlive the migration on the migrating connection, which on PGlite is the
 * app's own session), with SET outside one (where SET LOCAL does nothing) and a RESET at the end; lock_timeout below
 * LOCK_TIMEOUT_BELOW_MS, neither 0 (no limit).
 */
export function timeoutProblems(section: MigrationSection): string[] {
  const where = `${section.file} (${section.direction})`;
  const statements = statementsOf(section.sql);
  if (statements.length === 0) return []; // runs nothing, waits for nothing
  const leading = new Map<string, { local: boolean; value: string }>();
  for (const statement of statements) {
    const set = SET.exec(statement);
    if (!set) break;
    const value = (set[3] as string).trim().replace(/^'(.*)'$/s, '$1');
    leading.set((set[2] as string).toLowerCase(), { local: /^LOCAL/i.test(set[1] ?? ''), value });
  }
  const problems: string[] = [];
  const example = section.transactional ? "SET LOCAL lock_timeout = '2s';" : "SET lock_timeout = '2s';";
  for (const name of TIMEOUTS) {
    const setting = leading.get(name);
    if (!setting) {
      problems.push(`${where}: set ${name} before any other statement (e.g. ${example.replace('lock_timeout', name)})`);
      continue;
    }
    if (section.transactional && !setting.local) {
      problems.push(`${where}: use SET LOCAL ${name}: it runs in a transaction, and a plain SET outlives it`);
    }
    if (!section.transactional && setting.local) {
      problems.push(`${where}: use SET ${name} (then RESET it): SET LOCAL does nothing outside a transaction`);
    }
    const ms = durationMs(setting.value);
    if (ms === undefined || ms <= 0) problems.push(`${where}: ${name} = '${setting.value}' sets no limit`);
    else if (name === 'lock_timeout' && ms >= LOCK_TIMEOUT_BELOW_MS) {
      problems.push(`${where}: lock_timeout = '${setting.value}' must be under ${LOCK_TIMEOUT_BELOW_MS} ms`);
    }
  }
  if (!section.transactional) {
    const reset: string[] = [];
    for (const statement of [...statements].reverse()) {
      const match = /^RESET\s+(\w+)$/i.exec(statement);
      if (!match) break;
      reset.push((match[1] as string).toLowerCase());
    }
    for (const name of TIMEOUTS) {
      if (!reset.includes(name) && !reset.includes('all')) problems.push(`${where}: end with RESET ${name};`);
    }
  }
  return problems;
}

export interface SquawkResult {
  status: number | null;
  /** One line per violation: file:line:column: rule: message (help). */
  violations: string[];
  output: string;
}

interface SquawkViolation {
  file: string;
  line: number;
  column: number;
  rule_name: string;
  message: string;
  help: string | null;
}

/** Runs squawk on one direction's SQL with the project's .squawk.toml. */
export function squawk(section: Pick<MigrationSection, 'file' | 'sql' | 'transactional'>): SquawkResult {
  const args = ['--config', SQUAWK_CONFIG, '--reporter', 'json', '--stdin-filepath', section.file];
  if (!section.transactional) args.push('--no-assume-in-transaction');
  const run = spawnSync(SQUAWK, args, { input: section.sql, encoding: 'utf8' });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  if (run.status === 0) return { status: 0, violations: [], output };
  let violations: string[] = [];
  try {
    violations = (JSON.parse(run.stdout) as SquawkViolation[]).map(
      (v) => `${v.file}:${v.line + 1}:${v.column + 1}: ${v.rule_name}: ${v.message}${v.help ? ` (${v.help})` : ''}`,
    );
  } catch {
    // not squawk's report: a missing binary, a bad .squawk.toml; the output says which
  }
  if (violations.length === 0) violations = [`${section.file}: squawk exited ${run.status}: ${output.trim()}`];
  return { status: run.status, violations, output };
}

/** Every problem in every migration, in file order. */
export async function lintMigrations(dir = MIGRATIONS_DIR): Promise<{ files: number; problems: string[] }> {
  const files = migrationFiles(dir);
  const problems: string[] = [];
  for (const file of files) {
    try {
      for (const section of await readMigration(file)) {
        problems.push(...timeoutProblems(section), ...squawk(section).violations);
      }
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { files: files.length, problems };
}

if (require.main === module) {
  void lintMigrations().then(({ files, problems }) => {
    for (const problem of problems) process.stderr.write(`${problem}\n`);
    process.stdout.write(`lint:migrations: ${files} migration(s), ${problems.length} problem(s)\n`);
    process.exitCode = problems.length ? 1 : 0;
  });
}
