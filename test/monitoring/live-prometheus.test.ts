// Debian's Prometheus scraping three running services (two revisions on a migrated database, one on a database its
// migrations never reached) under a little load: every recording rule, alert expression and dashboard query of
// monitoring/ must parse, evaluate and return series through the HTTP API, as they will on a cluster.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { dashboardQueries } from '../../monitoring/src/dashboard';
import { MONITORING_DIR } from '../../monitoring/src/slo';
import { createPostgresDatabase, type TestDatabase } from '../support/database';
import { startService, type Service } from '../support/service';
import { startLoad } from './support/load';
import { startPrometheus, type Prometheus } from './support/prometheus';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
const RULES = path.join(MONITORING_DIR, 'prometheus/usersvc.rules.yml');
const groups = parse(fs.readFileSync(RULES, 'utf8')).groups as {
  rules: { record?: string; alert?: string; expr: string }[];
}[];
const rules = groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(fs.readFileSync(path.join(MONITORING_DIR, 'grafana/usersvc-dashboard.json'), 'utf8'));

/** An alert's expression without its thresholds: the series it compares, which exist whether or not it fires. */
const signals = (expr: string) => expr.replace(/\s*>\s*[0-9.eE+-]+/g, '');
/** A dashboard query as Grafana sends it with "All" chosen for every variable. */
const asGrafanaSends = (expr: string) =>
  expr.replace(/\$namespace|\$revision/g, '.*').replace(/\$__rate_interval/g, '1m');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('monitoring/ against Debian’s Prometheus scraping running services', () => {
  const databases: TestDatabase[] = [];
  const services: Service[] = [];
  let prometheus: Prometheus;

  beforeAll(async () => {
    const migrated = await createPostgresDatabase();
    const unmigrated = await createPostgresDatabase({ migrated: false });
    databases.push(migrated, unmigrated);
    const start = (url: string) => startService({ env: { DATABASE_URL: url } });
    services.push(...(await Promise.all([start(migrated.url), start(migrated.url), start(unmigrated.url)])));
    const [a, b, c] = services as [Service, Service, Service];
    const labels = (revision: string) => ({ revision, namespace: 'usersvc-live', service: 'usersvc' });
    prometheus = await startPrometheus(
      [
        { address: `127.0.0.1:${a.port}`, labels: labels('usersvc-live-a') },
        { address: `127.0.0.1:${b.port}`, labels: labels('usersvc-live-b') },
        { address: `127.0.0.1:${c.port}`, labels: labels('usersvc-live-c') },
      ],
      [RULES],
    );
    await prometheus.waitForTargets(3);
    const load = startLoad({
      stableUrl: a.url,
      candidateUrl: b.url,
      candidatePercent: () => 50,
      requestsPerSecond: 20,
    });
    // Long enough for several scrapes and rule evaluations after Node's process metrics appear (2 s after start).
    // Meanwhile the revision behind its migrations answers SCHEMA_NOT_READY, a request at a time: a counter's rise
    // counts only once Prometheus has scraped the series before it.
    for (let i = 0; i < 16; i++) {
      expect((await fetch(`${c.url}/api/v1/users?limit=1`)).status).toBe(503);
      await sleep(500);
    }
    await load.stop();
    await sleep(2_500);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('loads every rule and evaluates each without error', async () => {
    const loaded = await prometheus.rules();
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.map((r) => r.record ?? r.alert).sort());
    expect(loaded.filter((r) => r.health !== 'ok')).toEqual([]);
  });

  it.each(rules.filter((r) => r.record).map((r) => r.record as string))(
    'recording rule %s returns series',
    async (record) => {
      const result = await prometheus.query(record);
      expect(result.length).toBeGreaterThan(0);
    },
  );

  it.each(rules.filter((r) => r.alert).map((r) => [r.alert as string, r.expr]))(
    'alert %s: its expression parses and the series it compares exist',
    async (_alert, expr) => {
      await prometheus.query(expr);
      expect((await prometheus.query(signals(expr))).length).toBeGreaterThan(0);
    },
  );

  it.each(dashboardQueries(dashboard).map((q) => [q]))('dashboard query returns series: %s', async (query) => {
    expect((await prometheus.query(asGrafanaSends(query))).length).toBeGreaterThan(0);
  });

  it.each(
    (dashboard.templating.list as { query: unknown }[])
      .map((v) => (typeof v.query === 'object' ? (v.query as { query: string }).query : ''))
      .filter((q) => q.startsWith('label_values('))
      .map((q) => [q]),
  )('dashboard variable finds values: %s', async (query) => {
    // label_values(SELECTOR, LABEL) is Grafana's; the same question in PromQL is count by (LABEL) (SELECTOR).
    const [, selector, label] = /^label_values\((.*), (\w+)\)$/.exec(query) ?? [];
    const values = await prometheus.query(`count by (${label}) (${asGrafanaSends(selector ?? '')})`);
    expect(values.length).toBeGreaterThan(0);
  });

  it('sees the SCHEMA_NOT_READY answers of the unmigrated revision, and only of it', async () => {
    const result = await prometheus.query('revision:usersvc_errors:rate5m > 0');
    expect(result.map((r) => r.metric.revision)).toEqual(['usersvc-live-c']);
    const schema = await prometheus.query(signals(rules.find((r) => r.alert === 'UsersvcSchemaNotReady')!.expr));
    expect(schema.map((r) => r.metric.revision)).toEqual(['usersvc-live-c']);
  });
});
