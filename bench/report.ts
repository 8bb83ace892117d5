// Turns the bench's figures into console tables, markdown tables for bench/README.md, target checks and the JSON files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CellResult } from './load';
import { ROOT } from './processes';

export const RESULTS_DIR = path.join(ROOT, 'bench/results');

export interface Comparison {
  workload: string;
  connections: number;
  service: CellResult;
  baseline: CellResult;
  /** service req/s ÷ baseline req/s: 1 is as fast as the floor, lower is slower. */
  reqPerSecRatio: number;
  /** service p99 ÷ baseline p99: 1 is as good as the floor, higher is worse. */
  p99Ratio: number;
  cpuPerRequestRatio: number;
}

export interface ColdStart {
  name: string;
  samplesMs: number[];
  medianMs: number;
  /** Resident memory just after the first 200 from /ready, before any load (median). */
  rssAtReadyMB: number;
}

export interface ListTable {
  rows: number;
  /** Seconds the seeding INSERT ... SELECT generate_series took (absent when the table was reused). */
  seedSeconds?: number;
  deepOffset: number;
  first: CellResult;
  deep: CellResult;
  /** EXPLAIN ANALYZE of the first and the deep page's statements, straight from PostgreSQL. */
  plans: { first: string[]; deep: string[] };
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: string;
  pass: boolean;
}

export interface BenchResults {
  kind: 'bench';
  startedAt: string;
  finishedAt: string;
  node: string;
  database: string;
  host: { cpus: number; cpuModel: string; loadAverageStart: number[]; loadAverageEnd: number[] };
  options: unknown;
  seed: { rows: number; seconds: number };
  coldStart: ColdStart[];
  cells: CellResult[];
  comparisons: Comparison[];
  peakRss: { name: string; mixMaxRssMB: number; lifetimePeakMB: number }[];
  listLatency?: { connections: number; small: ListTable; large: ListTable };
  checks: TargetCheck[];
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '-');

/** Aligns rows of cells into columns; the first row is the header. */
export function textTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: string[]) => row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
  return [line(rows[0] ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join(
    '\n',
  );
}

export function compare(service: CellResult, baseline: CellResult): Comparison {
  return {
    workload: service.workload,
    connections: service.connections,
    service,
    baseline,
    reqPerSecRatio: service.reqPerSec / baseline.reqPerSec,
    p99Ratio: service.latencyMs.p99 / baseline.latencyMs.p99,
    cpuPerRequestRatio: service.cpuMicrosPerRequest / baseline.cpuMicrosPerRequest,
  };
}

export const cellRow = (cell: CellResult, label = cell.target): string[] => [
  label,
  String(cell.connections),
  fixed(cell.reqPerSec),
  fixed(cell.latencyMs.p50, 1),
  fixed(cell.latencyMs.p99, 1),
  fixed(cell.latencyMs.mean, 2),
  String(cell.errors),
  fixed(cell.cpuMicrosPerRequest),
  fixed(cell.cpuCores, 2),
];

export const CELL_HEADER = ['target', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'errors', 'CPU µs/req', 'cores'];

/** One workload's table: each concurrency's service and baseline cells, then their ratios. */
export function workloadTable(description: string, comparisons: Comparison[]): string {
  const rows = [CELL_HEADER];
  for (const c of comparisons) rows.push(cellRow(c.service), cellRow(c.baseline));
  const ratios = comparisons.map(
    (c) =>
      `  ${c.connections} conns: service/baseline req/s ${ratio(c.reqPerSecRatio)}, p99 ${ratio(c.p99Ratio)}, ` +
      `CPU per request ${ratio(c.cpuPerRequestRatio)}`,
  );
  const unexpected = comparisons
    .flatMap((c) => [c.service, c.baseline])
    .filter((cell) => Object.keys(cell.unexpected).length > 0)
    .map((cell) => `  ! ${cell.target} at ${cell.connections}: unexpected statuses ${JSON.stringify(cell.unexpected)}`);
  return [`${description}`, textTable(rows), ...ratios, ...unexpected].join('\n');
}

export function markdown(results: BenchResults): string {
  const lines = [
    `Measured ${results.startedAt.slice(0, 10)} on ${results.host.cpus} cores (${results.host.cpuModel}), ` +
      `Node ${results.node}, ${results.database.split(' on ')[0] ?? results.database}; ` +
      `${(results.options as { durationSeconds?: number }).durationSeconds ?? '?'} s per cell, ` +
      `${results.seed.rows} users, pool of ${(results.options as { poolMax?: number }).poolMax ?? '?'}.`,
    '',
    '| Workload | Conns | Service req/s | Baseline req/s | req/s ratio | Service p50 / p99 ms | Baseline p50 / p99 ms | p99 ratio | Errors (svc / base) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of results.comparisons) {
    lines.push(
      `| ${c.workload} | ${c.connections} | ${fixed(c.service.reqPerSec)} | ${fixed(c.baseline.reqPerSec)} | ` +
        `${fixed(c.reqPerSecRatio, 2)} | ${fixed(c.service.latencyMs.p50)} / ${fixed(c.service.latencyMs.p99)} | ` +
        `${fixed(c.baseline.latencyMs.p50)} / ${fixed(c.baseline.latencyMs.p99)} | ${fixed(c.p99Ratio, 2)} | ` +
        `${c.service.errors} / ${c.baseline.errors} |`,
    );
  }
  if (results.coldStart.length || results.peakRss.length) {
    const names = ['service', 'baseline'];
    const start = (name: string) => results.coldStart.find((c) => c.name === name);
    const rss = (name: string) => results.peakRss.find((r) => r.name === name);
    lines.push('', '| Measure | Service | Baseline |', '|---|--:|--:|');
    if (results.coldStart.length) {
      const starts = start('service')?.samplesMs.length ?? 0;
      lines.push(
        `| Cold start, spawn to first 200 from /ready (median of ${starts}) | ` +
          `${names.map((n) => `${fixed(start(n)?.medianMs ?? NaN)} ms`).join(' | ')} |`,
        `| RSS when ready | ${names.map((n) => `${fixed(start(n)?.rssAtReadyMB ?? NaN)} MB`).join(' | ')} |`,
      );
    }
    lines.push(
      `| Peak RSS (VmHWM, whole run) | ${names.map((n) => `${fixed(rss(n)?.lifetimePeakMB ?? NaN)} MB`).join(' | ')} |`,
    );
  }
  const list = results.listLatency;
  if (list) {
    lines.push(
      '',
      `| List page (service, ${list.connections} conns) | ${list.small.rows} rows: mean / p99 ms | ${list.large.rows} rows: mean / p99 ms |`,
      '|---|--:|--:|',
    );
    for (const page of ['first', 'deep'] as const) {
      lines.push(
        `| ${page === 'first' ? 'First page' : 'Deep page (cursor at 90%)'} | ` +
          `${fixed(list.small[page].latencyMs.mean, 2)} / ${fixed(list.small[page].latencyMs.p99)} | ` +
          `${fixed(list.large[page].latencyMs.mean, 2)} / ${fixed(list.large[page].latencyMs.p99)} |`,
      );
    }
  }
  lines.push('', '| Target | Goal | Measured | Met |', '|---|---|---|:-:|');
  for (const check of results.checks) {
    lines.push(`| ${check.name} | ${check.goal} | ${check.measured} | ${check.pass ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

/** Judges the figures against the issue's targets; a figure that was not measured is left out. */
export function checkTargets(results: Omit<BenchResults, 'checks'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const byId = results.comparisons.find((c) => c.workload === 'getById' && c.connections === 64);
  if (byId) {
    checks.push({
      name: 'GET by id, 64 conns: req/s vs baseline',
      goal: '≥ 0.70',
      measured: fixed(byId.reqPerSecRatio, 2),
      pass: byId.reqPerSecRatio >= 0.7,
    });
    checks.push({
      name: 'GET by id, 64 conns: p99 vs baseline',
      goal: '≤ 1.5×',
      measured: ratio(byId.p99Ratio),
      pass: byId.p99Ratio <= 1.5,
    });
  }
  const serviceStart = results.coldStart.find((c) => c.name === 'service');
  if (serviceStart) {
    checks.push({
      name: `Cold start to first 200 from /ready (median of ${serviceStart.samplesMs.length})`,
      goal: '≤ 400 ms',
      measured: `${fixed(serviceStart.medianMs)} ms`,
      pass: serviceStart.medianMs <= 400,
    });
  }
  const serviceRss = results.peakRss.find((r) => r.name === 'service');
  if (serviceRss) {
    checks.push({
      name: 'Peak RSS (VmHWM over the whole run, mix included)',
      goal: '≤ 150 MB',
      measured: `${fixed(serviceRss.lifetimePeakMB)} MB (mix max ${fixed(serviceRss.mixMaxRssMB)} MB)`,
      pass: serviceRss.lifetimePeakMB <= 150,
    });
  }
  const list = results.listLatency;
  if (list) {
    for (const page of ['first', 'deep'] as const) {
      const small = list.small[page].latencyMs;
      const large = list.large[page].latencyMs;
      const meanRatio = large.mean / small.mean;
      checks.push({
        name: `List ${page} page: ${list.large.rows} rows vs ${list.small.rows} (mean latency)`,
        goal: '≤ 1.5×',
        measured: `${ratio(meanRatio)} (${fixed(large.mean, 2)} vs ${fixed(small.mean, 2)} ms; p99 ${fixed(large.p99)} vs ${fixed(small.p99)})`,
        pass: meanRatio <= 1.5,
      });
    }
  }
  return checks;
}

/** Writes bench/results/<prefix><timestamp>.json and <prefix>latest.json; returns the timestamped path. */
export function writeResults(results: object, prefix = ''): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(RESULTS_DIR, `${prefix}${stamp}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(path.join(RESULTS_DIR, `${prefix}latest.json`), text);
  return file;
}
