// The process's Prometheus metrics, in one registry: HTTP requests, the database pool, and Node's own.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { openedDatabase } from './db';

// One registry owned here rather than prom-client's global one, so nothing else can add metrics behind our back.
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const labelNames = ['method', 'route', 'status_class'] as const;

const requestsTotal = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by method, route template and status class.',
  labelNames,
  registers: [registry],
});

// From 1 ms (a cached read on a warm pool) to 10 s (past the statement and connect timeouts).
const requestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from the request reaching the handler pipeline to its response being written.',
  labelNames,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const requestsInFlight = new Gauge({
  name: 'http_requests_in_flight',
  help: 'HTTP requests being handled now.',
  registers: [registry],
});

/** A pool gauge read at scrape time; 0 while no database is open, rather than opening one to ask. */
function poolGauge(
  name: string,
  help: string,
  read: (stats: { total: number; idle: number; waiting: number }) => number,
) {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const database = openedDatabase();
      this.set(database ? read(database.stats()) : 0);
    },
  });
}

poolGauge('db_pool_connections', 'Connections the database pool holds, busy or idle.', (stats) => stats.total);
poolGauge('db_pool_connections_idle', 'Connections the database pool holds unused.', (stats) => stats.idle);
poolGauge('db_pool_clients_waiting', 'Queries waiting for a pool connection.', (stats) => stats.waiting);

// Status classes rather than codes keep the series count small; the log line has the exact status.
const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'];
const statusClassOf = (status: number) => statusClasses[Math.floor(status / 100) - 1] ?? 'other';

/** Called when the pipeline starts a request. */
export function requestStarted(): void {
  requestsInFlight.inc();
}

/** Called once the response is written: route is the template (or "unmatched"), never the raw path. */
export function requestFinished(method: string, route: string, status: number, seconds: number): void {
  const labels = { method, route, status_class: statusClassOf(status) };
  requestsInFlight.dec();
  requestsTotal.inc(labels);
  requestDuration.observe(labels, seconds);
}

/** The Prometheus text format's content type, without the charset (registry.contentType has it too). */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4';

/** Every metric in the Prometheus text format; the pool gauges are read now. */
export const exposition = (): Promise<string> => registry.metrics();
