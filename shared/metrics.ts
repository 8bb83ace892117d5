// An app's Prometheus metrics, in a registry of its own: HTTP requests, the database pool, and Node's own.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from './db/database';

export interface Metrics {
  /** Called when the pipeline starts a request. */
  requestStarted(): void;
  /** Called once the response is written: route is the template (or "unmatched"), never the raw path. */
  requestFinished(method: string, route: string, status: number, seconds: number): void;
  /** Every metric in the Prometheus text format; the pool gauges are read now. */
  exposition(): Promise<string>;
}

/** The Prometheus text format's content type, without the charset (the pipeline adds it). */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4';

const labelNames = ['method', 'route', 'status_class'] as const;
// Status classes rather than codes keep the series count small; the log line has the exact status.
const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'];
const statusClassOf = (status: number) => statusClasses[Math.floor(status / 100) - 1] ?? 'other';

export function createMetrics(poolStats: () => PoolStats): Metrics {
  // Not prom-client's global registry: two apps in one process (tests) must not count each other's requests.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requestsTotal = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status class.',
    labelNames,
    registers,
  });
  // From 1 ms (a cached read on a warm pool) to 10 s (past the statement and connect timeouts).
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request reaching the handler pipeline to its response being written.',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const requestsInFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests being handled now.',
    registers,
  });
  const poolGauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(poolStats()));
      },
    });
  poolGauge('db_pool_connections', 'Connections the database pool holds, busy or idle.', (stats) => stats.total);
  poolGauge('db_pool_connections_idle', 'Connections the database pool holds unused.', (stats) => stats.idle);
  poolGauge('db_pool_clients_waiting', 'Queries waiting for a pool connection.', (stats) => stats.waiting);

  return {
    requestStarted: () => requestsInFlight.inc(),
    requestFinished(method, route, status, seconds) {
      const labels = { method, route, status_class: statusClassOf(status) };
      requestsInFlight.dec();
      requestsTotal.inc(labels);
      requestDuration.observe(labels, seconds);
    },
    exposition: () => registry.metrics(),
  };
}
