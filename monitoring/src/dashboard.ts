// The Grafana dashboard: RED per route and per revision, the pool, the error budget left and how fast it burns.
// Panels read the recording rules where one exists, so the dashboard and the alerts agree on every figure.
import { names } from './rules';
import type { Slo } from './slo';

/** Adds matchers to a series selector from slo.json (`metric{a="b"}` becomes `metric{extra,a="b"}`). */
export function withMatchers(selector: string, extra: string): string {
  return selector.includes('{') ? selector.replace('{', `{${extra},`) : `${selector}{${extra}}`;
}

const SCOPE = 'namespace=~"$namespace",revision=~"$revision"';
const NAMESPACE = 'namespace=~"$namespace"';
const RATE = '$__rate_interval';

interface Target {
  expr: string;
  legendFormat: string;
}
interface Panel {
  title: string;
  type: 'timeseries' | 'stat';
  unit: string;
  targets: Target[];
  description?: string;
}

function red(slo: Slo): Panel[] {
  const s = slo.series;
  const requests = withMatchers(s.requests, SCOPE);
  const errors = withMatchers(s.requests, `${SCOPE},status_class="5xx"`);
  const durations = withMatchers(s.durations, SCOPE);
  return [
    {
      title: 'Requests per second by route',
      type: 'timeseries',
      unit: 'reqps',
      targets: [{ expr: `sum by (method, route) (rate(${requests}[${RATE}]))`, legendFormat: '{{method}} {{route}}' }],
    },
    {
      title: 'Share answered 5xx by route',
      type: 'timeseries',
      unit: 'percentunit',
      targets: [
        {
          expr: `sum by (method, route) (rate(${errors}[${RATE}])) / sum by (method, route) (rate(${requests}[${RATE}]))`,
          legendFormat: '{{method}} {{route}}',
        },
      ],
    },
    {
      title: 'p99 latency by route',
      type: 'timeseries',
      unit: 's',
      targets: [
        {
          expr: `histogram_quantile(0.99, sum by (method, route, le) (rate(${durations}[${RATE}])))`,
          legendFormat: '{{method}} {{route}}',
        },
      ],
    },
    {
      title: 'p50 latency by route',
      type: 'timeseries',
      unit: 's',
      targets: [
        {
          expr: `histogram_quantile(0.5, sum by (method, route, le) (rate(${durations}[${RATE}])))`,
          legendFormat: '{{method}} {{route}}',
        },
      ],
    },
  ];
}

function revisions(): Panel[] {
  const scoped = (name: string) => `${name}{${SCOPE}}`;
  return [
    {
      title: 'Requests per second by revision (SLI traffic)',
      type: 'timeseries',
      unit: 'reqps',
      targets: [{ expr: scoped(names.requests('5m')), legendFormat: '{{revision}}' }],
    },
    {
      title: 'Share answered 5xx by revision',
      type: 'timeseries',
      unit: 'percentunit',
      targets: [{ expr: scoped(names.revisionErrorRatio), legendFormat: '{{revision}}' }],
    },
    {
      title: 'p99 latency by revision (API)',
      type: 'timeseries',
      unit: 's',
      targets: [{ expr: scoped(names.revisionP99), legendFormat: '{{revision}}' }],
    },
    {
      title: 'Share of API requests slower than the latency SLO by revision',
      type: 'timeseries',
      unit: 'percentunit',
      targets: [{ expr: scoped(names.revisionSlowRatio), legendFormat: '{{revision}}' }],
    },
  ];
}

function pool(slo: Slo): Panel[] {
  const s = slo.series;
  return [
    {
      title: 'Database pool connections',
      type: 'timeseries',
      unit: 'short',
      targets: [
        { expr: `sum by (revision) (${withMatchers(s.poolConnections, SCOPE)})`, legendFormat: 'held {{revision}}' },
        { expr: `sum by (revision) (${withMatchers(s.poolIdle, SCOPE)})`, legendFormat: 'idle {{revision}}' },
      ],
    },
    {
      title: 'Queries waiting for a pool connection',
      type: 'timeseries',
      unit: 'short',
      targets: [
        { expr: `max by (revision, instance) (${withMatchers(s.poolWaiting, SCOPE)})`, legendFormat: '{{instance}}' },
      ],
    },
    {
      title: 'Requests in flight',
      type: 'timeseries',
      unit: 'short',
      targets: [{ expr: `sum by (revision) (${withMatchers(s.inFlight, SCOPE)})`, legendFormat: '{{revision}}' }],
    },
    {
      title: 'Answers 503 SCHEMA_NOT_READY per second',
      type: 'timeseries',
      unit: 'reqps',
      targets: [
        {
          expr: `sum by (revision) (rate(${withMatchers(s.schemaNotReady, SCOPE)}[${RATE}]))`,
          legendFormat: '{{revision}}',
        },
      ],
    },
  ];
}

function budget(slo: Slo): Panel[] {
  const burn = (ratio: (w: string) => string, objective: number) =>
    ['5m', '1h', '6h', '3d']
      .filter((w) => ratio(w))
      .map((w) => ({
        expr: `${ratio(w)}{${NAMESPACE}} / ${Number((1 - objective).toPrecision(6))}`,
        legendFormat: `${w} {{namespace}}`,
      }));
  return [
    {
      title: `Availability error budget left (${slo.period}, objective ${slo.availability.objective * 100}%)`,
      type: 'stat',
      unit: 'percentunit',
      targets: [{ expr: `${names.availabilityBudgetLeft}{${NAMESPACE}}`, legendFormat: '{{namespace}}' }],
    },
    {
      title: `Latency error budget left (${slo.period}, ${slo.latency.objective * 100}% within ${slo.latency.thresholdSeconds * 1000} ms)`,
      type: 'stat',
      unit: 'percentunit',
      targets: [{ expr: `${names.latencyBudgetLeft}{${NAMESPACE}}`, legendFormat: '{{namespace}}' }],
    },
    {
      title: 'Availability budget burn rate (1 = spent exactly over the period)',
      type: 'timeseries',
      unit: 'short',
      targets: burn(names.errorRatio, slo.availability.objective),
    },
    {
      title: 'Latency budget burn rate (1 = spent exactly over the period)',
      type: 'timeseries',
      unit: 'short',
      targets: burn(names.slowRatio, slo.latency.objective),
    },
  ];
}

/** The dashboard's queries, as they appear in its panels (with Grafana's variables in them). */
export function dashboardQueries(dashboard: { panels: { targets?: { expr: string }[] }[] }): string[] {
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

export function dashboard(slo: Slo) {
  const rows: [string, Panel[]][] = [
    ['Error budget', budget(slo)],
    ['Per revision', revisions()],
    ['Per route (RED)', red(slo)],
    ['Process and database pool', pool(slo)],
  ];
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const [title, row] of rows) {
    panels.push({ id: id++, type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    row.forEach((panel, i) => {
      panels.push({
        id: id++,
        type: panel.type,
        title: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
        gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: y + Math.floor(i / 2) * 8 },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: {},
        targets: panel.targets.map((t, j) => ({
          refId: String.fromCharCode(65 + j),
          datasource: { type: 'prometheus', uid: '${datasource}' },
          expr: t.expr,
          legendFormat: t.legendFormat,
        })),
      });
    });
    y += Math.ceil(row.length / 2) * 8;
  }
  const variable = (name: string, query: string) => ({
    name,
    type: 'query',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    query: { query, refId: name },
    definition: query,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    refresh: 2,
  });
  return {
    title: `${slo.service}: SLOs, RED and the database pool`,
    uid: `${slo.service}-slo`,
    description: 'Generated by monitoring/generate.ts from monitoring/slo.json; edit those, not this file.',
    tags: [slo.service, 'slo'],
    schemaVersion: 39,
    version: 1,
    editable: true,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', current: {} },
        variable('namespace', `label_values(${slo.series.requests}, namespace)`),
        variable('revision', `label_values(${withMatchers(slo.series.requests, NAMESPACE)}, revision)`),
      ],
    },
    panels,
  };
}
