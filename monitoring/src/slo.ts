// monitoring/slo.json, typed: the objectives, the SLI series and the canary thresholds, read by the generator.
import fs from 'node:fs';
import path from 'node:path';

export interface BurnRate {
  severity: 'page' | 'ticket';
  /** The window that says the budget is burning; the short one says it still is (SRE workbook, ch. 5). */
  long: string;
  short: string;
  /** How many times faster than "exactly the budget over the period" the errors arrive. */
  factor: number;
}

export interface Slo {
  service: string;
  period: string;
  availability: { objective: number; requests: string; errors: string };
  latency: { objective: number; thresholdSeconds: number; requests: string; fast: string; buckets: string };
  burnRates: BurnRate[];
  canary: { burnFactor: number; errorMargin: number; p99Factor: number; minRequests: number };
  series: Record<
    | 'schemaNotReady'
    | 'poolWaiting'
    | 'processStart'
    | 'requests'
    | 'durations'
    | 'inFlight'
    | 'poolConnections'
    | 'poolIdle',
    string
  >;
}

export const MONITORING_DIR = path.resolve(__dirname, '..');

export function readSlo(file = path.join(MONITORING_DIR, 'slo.json')): Slo {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Slo;
}
