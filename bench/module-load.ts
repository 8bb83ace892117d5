// What start-up spends on loading code: each dependency loaded alone in a fresh node process, median of a few runs.
import { execFileSync } from 'node:child_process';
import { ROOT } from './processes';
import { median } from './report';

/** What to time, as a label and a JavaScript expression evaluated from the project root. */
const ENTRIES: [string, string][] = [
  ['@google-cloud/functions-framework', "require('@google-cloud/functions-framework')"],
  ['express', "require('express')"],
  ['zod', "require('zod')"],
  ['winston', "require('winston')"],
  ['pg', "require('pg')"],
  ['uuid', "require('uuid')"],
  [
    'logger() (winston + our Cloud Logging format, as the service logs)',
    "require('./dist/shared/logging.js').logger()",
  ],
  ['dist/functions/index.js (every route, no logger yet)', "require('./dist/functions/index.js')"],
  ['dist/bench/baseline.js dependencies (pg + uuid)', "require('pg'); require('uuid')"],
];

export interface ModuleLoad {
  module: string;
  medianMs: number;
}

function loadOnce(expression: string): number {
  const script =
    `const t = process.hrtime.bigint(); ${expression}; ` +
    'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
  // LOG_LEVEL and the like at their defaults; no DATABASE_URL, nothing connects.
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  return Number(out);
}

export function measureModuleLoads(runs = 3): ModuleLoad[] {
  return ENTRIES.map(([module, expression]) => ({
    module,
    medianMs: median(Array.from({ length: runs }, () => loadOnce(expression))),
  }));
}
