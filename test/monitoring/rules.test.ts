// monitoring/: the generated files match monitoring/slo.json, kustomize renders the same rule groups as the plain
// file, and Debian's promtool accepts the rules and passes their unit tests (monitoring/prometheus/*.test.yml).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { generatedFiles } from '../../monitoring/src/generate';
import { MONITORING_DIR } from '../../monitoring/src/slo';
import { renderKustomization } from '../deploy/support/kustomize';

const RULES = path.join(MONITORING_DIR, 'prometheus/usersvc.rules.yml');
const RULE_TESTS = path.join(MONITORING_DIR, 'prometheus/usersvc.rules.test.yml');

/** Runs promtool; on failure the error carries its output. */
function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

describe('monitoring rules', () => {
  it.each(Object.entries(generatedFiles()))('%s is what monitoring/src/generate.ts writes', (file, content) => {
    const written = fs.readFileSync(path.join(MONITORING_DIR, file), 'utf8');
    // Parsed, not compared as text: prettier may lay the written file out differently.
    const read = (text: string): unknown => (file.endsWith('.json') ? JSON.parse(text) : parse(text));
    expect(read(written)).toEqual(read(content));
  });

  it.each(['prometheus-operator', 'google-managed-prometheus'])(
    'kustomize renders monitoring/kubernetes/%s with the plain rule file’s groups and a scrape of the revision label',
    (dir) => {
      const objects = renderKustomization(path.join(MONITORING_DIR, 'kubernetes', dir));
      const rules = objects.find((o) => o.kind === 'PrometheusRule' || o.kind === 'Rules');
      expect((rules?.spec as { groups: unknown }).groups).toEqual(parse(fs.readFileSync(RULES, 'utf8')).groups);
      const scrape = JSON.stringify(objects.find((o) => o.kind === 'PodMonitor' || o.kind === 'PodMonitoring'));
      expect(scrape).toMatch(/serving(\.knative\.dev\/|_knative_dev_)revision/);
    },
  );

  it('passes promtool check rules', () => {
    expect(promtool('check', 'rules', RULES)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes its promtool unit tests: every alert fires on a bad series and stays quiet on a good one', () => {
    const alerts = parse(fs.readFileSync(RULES, 'utf8')).groups.flatMap((g: { rules: { alert?: string }[] }) =>
      g.rules.flatMap((r) => (r.alert ? [r.alert] : [])),
    ) as string[];
    const tests = parse(fs.readFileSync(RULE_TESTS, 'utf8')).tests as {
      alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
    }[];
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of alerts) {
      expect({ alert, fires: cases.some((c) => c.alertname === alert && c.exp_alerts.length > 0) }).toEqual({
        alert,
        fires: true,
      });
      expect({ alert, quiet: cases.some((c) => c.alertname === alert && c.exp_alerts.length === 0) }).toEqual({
        alert,
        quiet: true,
      });
    }
    expect(promtool('test', 'rules', RULE_TESTS)).toContain('SUCCESS');
  });
});
