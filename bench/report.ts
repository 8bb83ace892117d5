// Turns the bench's figures into console tables, markdown tables for bench/README.md, target checks and the JSON files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CellResult } from './load';
import { ROOT } from './processes';

const RESULTS_DIR = path.join(ROOT, 'bench/results');

export interface Comparison {
  workload: string;
  connections: number;
  service: CellResult;
  baseline: CellResult;
  /** Paired rounds the ratios are the medians of (1: a single pair). */
  rounds?: number;
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

/**
 * One cell from the rounds of the same server, workload and concurrency: each rate, latency and CPU figure is the
 * median of the rounds (a round that a neighbour's burst slowed does not move it), counts are summed, and the client's
 * CPU and the memory are the largest any round saw (the limit and the peak hold for every round).
 */
function medianCell(rounds: readonly CellResult[]): CellResult {
  const first = rounds[0];
  if (!first) throw new Error('medianCell needs at least one round');
  const of = (pick: (cell: CellResult) => number) => median(rounds.map(pick));
  const sum = (pick: (cell: CellResult) => number) => rounds.reduce((total, cell) => total + pick(cell), 0);
  const most = (pick: (cell: CellResult) => number) => Math.max(...rounds.map(pick));
  return {
    target: first.target,
    workload: first.workload,
    connections: first.connections,
    durationSeconds: sum((c) => c.durationSeconds),
    requests: sum((c) => c.requests),
    reqPerSec: of((c) => c.reqPerSec),
    latencyMs: {
      p50: of((c) => c.latencyMs.p50),
      p90: of((c) => c.latencyMs.p90),
      p99: of((c) => c.latencyMs.p99),
      max: most((c) => c.latencyMs.max),
      mean: of((c) => c.latencyMs.mean),
    },
    errors: sum((c) => c.errors),
    statusErrors: sum((c) => c.statusErrors),
    socketErrors: sum((c) => c.socketErrors),
    timeouts: sum((c) => c.timeouts),
    cpuMicrosPerRequest: of((c) => c.cpuMicrosPerRequest),
    cpuCores: of((c) => c.cpuCores),
    reqPerCpuSecond: of((c) => c.reqPerCpuSecond),
    clientCores: most((c) => c.clientCores),
    rssMB: { max: most((c) => c.rssMB.max), peak: most((c) => c.rssMB.peak) },
  };
}

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

/**
 * The service against the baseline over paired rounds (round i of each ran back to back): the cells are the rounds'
 * medians, and each ratio is the median of the rounds' own ratios, so that the machine's drift between rounds
 * cancels inside each pair instead of landing on one server.
 */
export function compare(service: readonly CellResult[], baseline: readonly CellResult[]): Comparison {
  const paired = (pick: (cell: CellResult) => number) =>
    median(service.map((cell, round) => pick(cell) / pick(baseline[round] as CellResult)));
  const serviceCell = medianCell(service);
  return {
    workload: serviceCell.workload,
    connections: serviceCell.connections,
    service: serviceCell,
    baseline: medianCell(baseline),
    rounds: service.length,
    reqPerSecRatio: paired((cell) => cell.reqPerSec),
    p99Ratio: paired((cell) => cell.latencyMs.p99),
    cpuPerRequestRatio: paired((cell) => cell.cpuMicrosPerRequest),
  };
}

const cellRow = (cell: CellResult, label = cell.target): string[] => [
  label,
  String(cell.connections),
  fixed(cell.reqPerSec),
  fixed(cell.latencyMs.p50, 1),
  fixed(cell.latencyMs.p99, 1),
  fixed(cell.latencyMs.mean, 2),
  String(cell.errors),
  fixed(cell.cpuMicrosPerRequest),
  fixed(cell.reqPerCpuSecond),
  fixed(cell.cpuCores, 2),
  fixed(cell.clientCores, 2),
];

const CELL_HEADER = [
  'target',
  'conns',
  'req/s',
  'p50 ms',
  'p99 ms',
  'mean ms',
  'errors',
  'CPU µs/req',
  'req/CPU s',
  'cores',
  'client cores',
];

/** One workload's table: each concurrency's service and baseline cells, then their ratios. */
export function workloadTable(description: string, comparisons: Comparison[]): string {
  const rows = [CELL_HEADER];
  for (const c of comparisons) rows.push(cellRow(c.service), cellRow(c.baseline));
  const ratios = comparisons.map(
    (c) =>
      `  ${c.connections} conns: service/baseline req/s ${ratio(c.reqPerSecRatio)}, p99 ${ratio(c.p99Ratio)}, ` +
      `CPU per request ${ratio(c.cpuPerRequestRatio)}`,
  );
  const failed = comparisons
    .flatMap((c) => [c.service, c.baseline])
    .filter((cell) => cell.errors > 0)
    .map(
      (cell) =>
        `  ! ${cell.target} at ${cell.connections}: ${cell.statusErrors} responses ≥ 400, ` +
        `${cell.socketErrors} socket errors, ${cell.timeouts} timeouts`,
    );
  return [`${description}`, textTable(rows), ...ratios, ...failed].join('\n');
}

/**
 * The bearer cells beside the API-key cell: the service's figures, and each one's ratio to the API key's taken as the
 * ratio of the two cells' paired ratios against the baseline, so that the machine's drift between the cells (run a
 * minute apart) cancels as it does within a cell. No rows unless both kinds were measured.
 */
export function bearerRows(comparisons: readonly Comparison[]): string[][] {
  const key = comparisons.find((c) => c.workload === 'getByIdApiKey');
  const bearer = comparisons.filter((c) => c.workload.startsWith('getByIdBearer'));
  if (!key || bearer.length === 0) return [];
  return [
    ['workload', 'req/s', 'CPU µs/req', 'p99 ms', 'req/s ÷ key', 'CPU/req ÷ key', 'p99 ÷ key'],
    ...[key, ...bearer].map((c) => [
      c.workload,
      fixed(c.service.reqPerSec),
      fixed(c.service.cpuMicrosPerRequest),
      fixed(c.service.latencyMs.p99, 1),
      ratio(c.reqPerSecRatio / key.reqPerSecRatio),
      ratio(c.cpuPerRequestRatio / key.cpuPerRequestRatio),
      ratio(c.p99Ratio / key.p99Ratio),
    ]),
  ];
}

export function markdown(results: BenchResults): string {
  const lines = [
    `Measured ${results.startedAt.slice(0, 10)} on ${results.host.cpus} cores (${results.host.cpuModel}), ` +
      `load average ${results.host.loadAverageStart.map((l) => l.toFixed(2)).join(' ')} at the start, ` +
      `Node ${results.node}, ${results.database.split(' on ')[0] ?? results.database}; ` +
      `${(results.options as { rounds?: number }).rounds ?? 1} alternating rounds of ` +
      `${(results.options as { durationSeconds?: number }).durationSeconds ?? '?'} s per cell (medians), ` +
      `${results.seed.rows} users, pool of ${(results.options as { poolMax?: number }).poolMax ?? '?'}.`,
    '',
    '| Workload | Conns | Service req/s | Baseline req/s | req/s ratio | Service p50 / p99 ms | Baseline p50 / p99 ms | p99 ratio | Service / baseline req per CPU s | CPU/req ratio | Client cores (max) | Errors (svc / base) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of results.comparisons) {
    lines.push(
      `| ${c.workload} | ${c.connections} | ${fixed(c.service.reqPerSec)} | ${fixed(c.baseline.reqPerSec)} | ` +
        `${fixed(c.reqPerSecRatio, 2)} | ${fixed(c.service.latencyMs.p50, 1)} / ${fixed(c.service.latencyMs.p99, 1)} | ` +
        `${fixed(c.baseline.latencyMs.p50, 1)} / ${fixed(c.baseline.latencyMs.p99, 1)} | ${fixed(c.p99Ratio, 2)} | ` +
        `${fixed(c.service.reqPerCpuSecond)} / ${fixed(c.baseline.reqPerCpuSecond)} | ${fixed(c.cpuPerRequestRatio, 2)} | ` +
        `${fixed(Math.max(c.service.clientCores, c.baseline.clientCores), 2)} | ${c.service.errors} / ${c.baseline.errors} |`,
    );
  }
  const bearer = bearerRows(results.comparisons);
  if (bearer.length > 0) {
    const [header = [], ...rows] = bearer;
    lines.push('', `| ${header.join(' | ')} |`, `|---|${'--:|'.repeat(header.length - 1)}`);
    for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
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
      `| Max RSS under the mix at the highest concurrency | ${names.map((n) => `${fixed(rss(n)?.mixMaxRssMB ?? NaN)} MB`).join(' | ')} |`,
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
          `${fixed(list.small[page].latencyMs.mean, 2)} / ${fixed(list.small[page].latencyMs.p99, 1)} | ` +
          `${fixed(list.large[page].latencyMs.mean, 2)} / ${fixed(list.large[page].latencyMs.p99, 1)} |`,
      );
    }
  }
  lines.push('', '| Target | Goal | Measured | Met |', '|---|---|---|:-:|');
  for (const check of results.checks) {
    lines.push(`| ${check.name} | ${check.goal} | ${check.measured} | ${check.pass ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

/** Req/s ratio and p99 ratio targets per workload at 64 connections (issue 10), as ratios against the baseline. */
const CELL_TARGETS: { workload: string; label: string; minReqPerSec: number; maxP99?: number }[] = [
  { workload: 'getById', label: 'GET by id', minReqPerSec: 0.85, maxP99: 1.3 },
  { workload: 'getByUsername', label: 'GET by username', minReqPerSec: 0.85, maxP99: 1.3 },
  { workload: 'create', label: 'POST create', minReqPerSec: 0.85 },
  { workload: 'patch', label: 'PATCH', minReqPerSec: 0.85 },
  { workload: 'getByIdApiKey', label: 'GET by id, API key on', minReqPerSec: 0.85, maxP99: 1.3 },
];
const TARGET_CONNECTIONS = 64;
const MAX_COLD_START_RATIO = 1.3;
const MAX_MIX_RSS_RATIO = 1.15;

/** Every cell of a run: the comparisons' and the list pages'. */
export function allCells(results: Omit<BenchResults, 'checks'>): CellResult[] {
  const list = results.listLatency;
  return [...results.cells, ...(list ? [list.small.first, list.small.deep, list.large.first, list.large.deep] : [])];
}

/** "median of 3 paired rounds; medians " before a comparison's figures, when it had more than one round. */
const roundsOf = (cell: Comparison) =>
  (cell.rounds ?? 1) > 1 ? `median of ${cell.rounds} paired rounds; medians ` : '';

/** Judges the figures against the issue's targets; a figure that was not measured is left out. */
export function checkTargets(results: Omit<BenchResults, 'checks'>, maxClientCores: number): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const cells = allCells(results);
  if (cells.length > 0) {
    const busiest = cells.reduce((a, b) => (b.clientCores > a.clientCores ? b : a));
    checks.push({
      name: 'Load generator (wrk) CPU in every cell',
      goal: `≤ ${maxClientCores} core`,
      measured: `max ${fixed(busiest.clientCores, 2)} (${busiest.workload} ×${busiest.connections} ${busiest.target}, ${fixed(busiest.reqPerSec)} req/s)`,
      pass: cells.every((cell) => cell.clientCores <= maxClientCores),
    });
  }
  for (const target of CELL_TARGETS) {
    const cell = results.comparisons.find(
      (c) => c.workload === target.workload && c.connections === TARGET_CONNECTIONS,
    );
    if (!cell) continue;
    checks.push({
      name: `${target.label}, ${TARGET_CONNECTIONS} conns: req/s vs baseline`,
      goal: `≥ ${target.minReqPerSec.toFixed(2)}`,
      measured: `${fixed(cell.reqPerSecRatio, 2)} (${roundsOf(cell)}${fixed(cell.service.reqPerSec)} vs ${fixed(cell.baseline.reqPerSec)})`,
      pass: cell.reqPerSecRatio >= target.minReqPerSec,
    });
    if (target.maxP99 !== undefined) {
      checks.push({
        name: `${target.label}, ${TARGET_CONNECTIONS} conns: p99 vs baseline`,
        goal: `≤ ${target.maxP99.toFixed(2)}×`,
        measured: `${ratio(cell.p99Ratio)} (${roundsOf(cell)}${fixed(cell.service.latencyMs.p99, 1)} vs ${fixed(cell.baseline.latencyMs.p99, 1)} ms)`,
        pass: cell.p99Ratio <= target.maxP99,
      });
    }
  }
  const serviceStart = results.coldStart.find((c) => c.name === 'service');
  const baselineStart = results.coldStart.find((c) => c.name === 'baseline');
  if (serviceStart && baselineStart) {
    const startRatio = serviceStart.medianMs / baselineStart.medianMs;
    checks.push({
      name: `Cold start to first 200 from /ready (median of ${serviceStart.samplesMs.length}) vs baseline`,
      goal: `≤ ${MAX_COLD_START_RATIO}×`,
      measured: `${ratio(startRatio)} (${fixed(serviceStart.medianMs)} vs ${fixed(baselineStart.medianMs)} ms)`,
      pass: startRatio <= MAX_COLD_START_RATIO,
    });
  }
  const serviceRss = results.peakRss.find((r) => r.name === 'service');
  const baselineRss = results.peakRss.find((r) => r.name === 'baseline');
  if (serviceRss && baselineRss && Number.isFinite(serviceRss.mixMaxRssMB)) {
    const rssRatio = serviceRss.mixMaxRssMB / baselineRss.mixMaxRssMB;
    checks.push({
      name: 'Max RSS under the mix (highest concurrency) vs baseline',
      goal: `≤ ${MAX_MIX_RSS_RATIO}×`,
      measured: `${ratio(rssRatio)} (${fixed(serviceRss.mixMaxRssMB)} vs ${fixed(baselineRss.mixMaxRssMB)} MB)`,
      pass: rssRatio <= MAX_MIX_RSS_RATIO,
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
        measured: `${ratio(meanRatio)} (${fixed(large.mean, 2)} vs ${fixed(small.mean, 2)} ms; p99 ${fixed(large.p99, 1)} vs ${fixed(small.p99, 1)})`,
        pass: meanRatio <= 1.5,
      });
    }
  }
  return checks;
}

/** Writes bench/results/<timestamp>.json and latest.json; returns the timestamped path. */
export function writeResults(results: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(RESULTS_DIR, `${stamp}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(path.join(RESULTS_DIR, 'latest.json'), text);
  return file;
}
