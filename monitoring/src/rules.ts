// The Prometheus recording and alerting rules, built from the SLO definition: SLIs per revision, error ratios per
// namespace over every window the multi-window, multi-burn-rate alerts use, the budget left, and the cause alerts.
import type { Slo } from './slo';

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

/** Every window a burn-rate alert reads, shortest first, and the SLO period (for the budget left). */
export function windows(slo: Slo): string[] {
  const seconds = (w: string) => Number(w.slice(0, -1)) * { m: 60, h: 3600, d: 86400 }[w.slice(-1) as 'm' | 'h' | 'd'];
  const all = new Set([...slo.burnRates.flatMap((b) => [b.short, b.long]), slo.period]);
  return [...all].sort((a, b) => seconds(a) - seconds(b));
}

const BY_REVISION = 'namespace, revision';

/** Recorded names: per revision the rates the SLIs are made of, per namespace the ratios the alerts compare. */
export const names = {
  requests: (w: string) => `revision:usersvc_requests:rate${w}`,
  errors: (w: string) => `revision:usersvc_errors:rate${w}`,
  apiRequests: (w: string) => `revision:usersvc_api_requests:rate${w}`,
  apiFast: (w: string) => `revision:usersvc_api_fast_requests:rate${w}`,
  errorRatio: (w: string) => `namespace:usersvc_error_ratio:rate${w}`,
  slowRatio: (w: string) => `namespace:usersvc_slow_ratio:rate${w}`,
  revisionErrorRatio: 'revision:usersvc_error_ratio:rate5m',
  revisionSlowRatio: 'revision:usersvc_slow_ratio:rate5m',
  revisionP99: 'revision:usersvc_request_duration_seconds:p99_rate5m',
  availabilityBudgetLeft: 'namespace:usersvc_availability_budget_remaining:ratio',
  latencyBudgetLeft: 'namespace:usersvc_latency_budget_remaining:ratio',
};

function sliGroups(slo: Slo): RuleGroup[] {
  const a = slo.availability;
  const l = slo.latency;
  return windows(slo).map((w) => ({
    name: `usersvc-sli-${w}`,
    rules: [
      { record: names.requests(w), expr: `sum by (${BY_REVISION}) (rate(${a.requests}[${w}]))` },
      { record: names.errors(w), expr: `sum by (${BY_REVISION}) (rate(${a.errors}[${w}]))` },
      { record: names.apiRequests(w), expr: `sum by (${BY_REVISION}) (rate(${l.requests}[${w}]))` },
      { record: names.apiFast(w), expr: `sum by (${BY_REVISION}) (rate(${l.fast}[${w}]))` },
      {
        record: names.errorRatio(w),
        expr: `sum by (namespace) (${names.errors(w)}) / sum by (namespace) (${names.requests(w)})`,
      },
      {
        record: names.slowRatio(w),
        expr: `1 - sum by (namespace) (${names.apiFast(w)}) / sum by (namespace) (${names.apiRequests(w)})`,
      },
    ],
  }));
}

function dashboardGroup(slo: Slo): RuleGroup {
  return {
    name: 'usersvc-revisions',
    rules: [
      { record: names.revisionErrorRatio, expr: `${names.errors('5m')} / ${names.requests('5m')}` },
      { record: names.revisionSlowRatio, expr: `1 - ${names.apiFast('5m')} / ${names.apiRequests('5m')}` },
      {
        record: names.revisionP99,
        expr: `histogram_quantile(0.99, sum by (${BY_REVISION}, le) (rate(${slo.latency.buckets}[5m])))`,
      },
      {
        record: names.availabilityBudgetLeft,
        expr: `1 - ${names.errorRatio(slo.period)} / ${round(1 - slo.availability.objective)}`,
      },
      {
        record: names.latencyBudgetLeft,
        expr: `1 - ${names.slowRatio(slo.period)} / ${round(1 - slo.latency.objective)}`,
      },
    ],
  };
}

/** Floating-point noise out of a threshold (1 - 0.999 is 0.0010000000000000009). */
const round = (value: number) => Number(value.toPrecision(6));

function burnAlerts(slo: Slo, sli: 'availability' | 'latency'): Rule[] {
  const budget = 1 - slo[sli].objective;
  const ratio = sli === 'availability' ? names.errorRatio : names.slowRatio;
  const what =
    sli === 'availability' ? 'answered 5xx' : `slower than ${slo.latency.thresholdSeconds * 1000} ms (API requests)`;
  const title = sli === 'availability' ? 'Availability' : 'Latency';
  return (['page', 'ticket'] as const).map((severity) => {
    const pairs = slo.burnRates.filter((b) => b.severity === severity);
    const expr = pairs
      .map((b) => {
        const limit = round(b.factor * budget);
        return `(${ratio(b.long)} > ${limit} and ${ratio(b.short)} > ${limit})`;
      })
      .join('\nor\n');
    const described = pairs.map((b) => `${b.factor}x over ${b.long} and ${b.short}`).join(', or ');
    return {
      alert: `Usersvc${title}BudgetBurn${severity === 'page' ? 'Fast' : 'Slow'}`,
      expr,
      labels: { severity, slo: sli },
      annotations: {
        summary: `usersvc in {{ $labels.namespace }} is spending its ${sli} error budget too fast`,
        description:
          `Requests ${what} burn the ${slo.period} budget (${round(budget * 100)}% of requests) at ${described}. ` +
          `Which revision: the dashboard's per-revision panels (docs/RUNBOOK.md, "Monitoring and alerts").`,
      },
    };
  });
}

function causeAlerts(slo: Slo): Rule[] {
  const s = slo.series;
  return [
    {
      alert: 'UsersvcSchemaNotReady',
      expr: `sum by (${BY_REVISION}) (increase(${s.schemaNotReady}[5m])) > 0`,
      for: '2m',
      labels: { severity: 'page' },
      annotations: {
        summary: 'usersvc revision {{ $labels.revision }} answers 503 SCHEMA_NOT_READY',
        description:
          'The revision serves requests on a database its migrations have not reached: the migration Job did not run ' +
          'or failed before this revision got traffic (docs/RUNBOOK.md, "Monitoring and alerts").',
      },
    },
    {
      alert: 'UsersvcPoolWaiting',
      expr: `min by (${BY_REVISION}, instance) (min_over_time(${s.poolWaiting}[5m])) > 0`,
      for: '5m',
      labels: { severity: 'ticket' },
      annotations: {
        summary: 'usersvc {{ $labels.instance }} has had queries waiting for a pool connection for 10 minutes',
        description:
          'Every connection of the pool stayed busy: the database is slow, or DB_POOL_MAX is too small for the ' +
          'load each pod takes (docs/ARCHITECTURE.md, "Connection budget").',
      },
    },
    {
      alert: 'UsersvcRestarting',
      expr: `sum by (${BY_REVISION}, instance) (changes(${s.processStart}[1h])) > 1`,
      labels: { severity: 'ticket' },
      annotations: {
        summary: 'usersvc {{ $labels.instance }} restarted {{ $value }} times in the last hour',
        description:
          'The process in one pod started again more than once within an hour (a crash, the OOM killer or the ' +
          'liveness probe); its logs before each start say why.',
      },
    },
  ];
}

export function ruleGroups(slo: Slo): RuleGroup[] {
  return [
    ...sliGroups(slo),
    dashboardGroup(slo),
    { name: 'usersvc-slo-alerts', rules: [...burnAlerts(slo, 'availability'), ...burnAlerts(slo, 'latency')] },
    { name: 'usersvc-cause-alerts', rules: causeAlerts(slo) },
  ];
}
