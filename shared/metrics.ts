// An app's Prometheus metrics: HTTP requests and the database pool, counted here in plain numbers and written in the
// Prometheus text format; Node's own (process_*, nodejs_*) from prom-client, in a registry of the app's own.
import type { Registry } from 'prom-client';
import type { PoolStats } from './db/database';

export interface Metrics {
  /** Called when the pipeline starts a request. */
  requestStarted(): void;
  /** Called once the response is written: route is the template (or "unmatched"), never the raw path. */
  requestFinished(method: string, route: string, status: number, seconds: number): void;
  /** Called when the answer is a problem, with the error catalogue's code (monitoring/ alerts on SCHEMA_NOT_READY). */
  problemAnswered(code: string): void;
  /** Every metric in the Prometheus text format; the pool gauges are read now. */
  exposition(): Promise<string>;
  /**
   * Starts Node's own metrics (prom-client's default collectors) if the first exposition has not yet. The entrypoint
   * calls it shortly after start-up: prom-client is not loaded before the first request is answered.
   */
  startProcessMetrics(): void;
}

/** The Prometheus text format's content type, without the charset (the pipeline adds it). */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4';

// Status classes rather than codes keep the series count small; the log line has the exact status.
const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'];
const statusClassOf = (status: number) => statusClasses[Math.floor(status / 100) - 1] ?? 'other';
// From 1 ms (a cached read on a warm pool) to 10 s (past the statement and connect timeouts).
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One label set's counts: requests, and the duration histogram (per bucket, not yet cumulative). */
interface Series {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const header = (name: string, help: string, type: string) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;

/**
 * The request metrics are updated on every request, so they are plain numbers behind three Map lookups rather than
 * prom-client metrics, whose label hashing costs each request more (bench/README.md). Method, route template and
 * status class are bounded: Node's parser accepts only the methods it knows, and the route is a template.
 */
export function createMetrics(poolStats: () => PoolStats): Metrics {
  /** Every label set, in the order first seen (the exposition's order). */
  const series: Series[] = [];
  const seriesByRoute = new Map<string, Map<string, Map<string, Series>>>();
  let inFlight = 0;
  // By code alone: the catalogue bounds it, and the status class series already say which route.
  const problems = new Map<string, number>();
  let registry: Registry | undefined;

  function startProcessMetrics(): Registry {
    if (registry) return registry;
    // Required here, not imported: the first request after a scale from zero does not wait for it to load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Registry, collectDefaultMetrics } = require('prom-client') as typeof import('prom-client');
    // Not prom-client's global registry: two apps in one process (tests) must not count each other's.
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return registry;
  }

  function requestMetrics(): string {
    let total = header(
      'http_requests_total',
      'HTTP requests answered, by method, route template and status class.',
      'counter',
    );
    let duration = header(
      'http_request_duration_seconds',
      'Time from the request reaching the handler pipeline to its response being written.',
      'histogram',
    );
    for (const { labels, count, sum, buckets } of series) {
      total += `http_requests_total{${labels}} ${count}\n`;
      let cumulative = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        cumulative += buckets[i] as number;
        duration += `http_request_duration_seconds_bucket{le="${BUCKETS[i]}",${labels}} ${cumulative}\n`;
      }
      duration += `http_request_duration_seconds_bucket{le="+Inf",${labels}} ${count}\n`;
      duration += `http_request_duration_seconds_sum{${labels}} ${sum}\n`;
      duration += `http_request_duration_seconds_count{${labels}} ${count}\n`;
    }
    let problemLines = header('http_problems_total', "Problem answers, by the error catalogue's code.", 'counter');
    for (const [code, count] of problems) problemLines += `http_problems_total{code="${escapeLabel(code)}"} ${count}\n`;
    const stats = poolStats();
    const gauge = (name: string, help: string, value: number) => `${header(name, help, 'gauge')}${name} ${value}\n`;
    return (
      total +
      duration +
      problemLines +
      gauge('http_requests_in_flight', 'HTTP requests being handled now.', inFlight) +
      gauge('db_pool_connections', 'Connections the database pool holds, busy or idle.', stats.total) +
      gauge('db_pool_connections_idle', 'Connections the database pool holds unused.', stats.idle) +
      gauge('db_pool_clients_waiting', 'Queries waiting for a pool connection.', stats.waiting)
    );
  }

  return {
    requestStarted: () => {
      inFlight++;
    },
    requestFinished(method, route, status, seconds) {
      inFlight--;
      const statusClass = statusClassOf(status);
      // Looked up by route, method and class in turn: no key string is built (and hashed) per request.
      let byMethod = seriesByRoute.get(route);
      if (!byMethod) seriesByRoute.set(route, (byMethod = new Map()));
      let byClass = byMethod.get(method);
      if (!byClass) byMethod.set(method, (byClass = new Map()));
      let found = byClass.get(statusClass);
      if (!found) {
        const labels = `method="${escapeLabel(method)}",route="${escapeLabel(route)}",status_class="${statusClass}"`;
        found = { labels, count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
        byClass.set(statusClass, found);
        series.push(found);
      }
      found.count++;
      found.sum += seconds;
      for (let i = 0; i < BUCKETS.length; i++) {
        if (seconds <= (BUCKETS[i] as number)) {
          (found.buckets[i] as number)++;
          break;
        }
      }
    },
    problemAnswered(code) {
      problems.set(code, (problems.get(code) ?? 0) + 1);
    },
    async exposition() {
      const ours = requestMetrics();
      return `${ours}\n${await startProcessMetrics().metrics()}`;
    },
    startProcessMetrics: () => void startProcessMetrics(),
  };
}
