// Debian's Prometheus, started by a test on a free loopback port with a temp storage dir: it scrapes the targets it
// is given every second, evaluates monitoring/'s rules every second, and answers PromQL over its HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../../scripts/local-port';

export interface Target {
  /** host:port of a running service. */
  address: string;
  /** The target labels a cluster's scrape config would attach (revision, namespace, service). */
  labels: Record<string, string>;
  /** Scrape settings of its own (`authorization`, `oauth2` ...): the target then has a job of its own, `job`. */
  scrape?: { job: string } & Record<string, unknown>;
}

export interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  url: string;
  /** An instant query; throws with Prometheus' error when the expression does not parse or evaluate. */
  query(expr: string): Promise<PromResult[]>;
  /** Resolves once every target has been scraped successfully at least once. */
  waitForTargets(count: number, timeoutMs?: number): Promise<void>;
  /** Every rule as Prometheus loaded and last evaluated it. */
  rules(): Promise<{ name: string; query: string; type: string; health: string; lastError?: string }[]>;
  output(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startPrometheus(targets: Target[], ruleFiles: string[] = []): Promise<Prometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usersvc-prometheus-'));
  const plain = targets.filter((t) => !t.scrape);
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: [
      ...(plain.length > 0
        ? [
            {
              job_name: 'usersvc',
              metrics_path: '/metrics',
              static_configs: plain.map((t) => ({ targets: [t.address], labels: t.labels })),
            },
          ]
        : []),
      ...targets.flatMap(({ address, labels, scrape }) => {
        if (!scrape) return [];
        const { job, ...settings } = scrape;
        return [
          { job_name: job, metrics_path: '/metrics', static_configs: [{ targets: [address], labels }], ...settings },
        ];
      }),
    ],
  };
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  async function api<T>(pathAndQuery: string): Promise<T> {
    const reply = await fetch(`${url}${pathAndQuery}`);
    const body = (await reply.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${pathAndQuery}: ${body.error ?? reply.status}`);
    return body.data;
  }

  const prometheus: Prometheus = {
    url,
    output: () => output,
    async query(expr) {
      const data = await api<{ result: PromResult[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.result;
    },
    async waitForTargets(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const up = await prometheus.query('up == 1').catch(() => []);
        if (up.length >= count) return;
        if (Date.now() > deadline) throw new Error(`${up.length} of ${count} targets up:\n${output}`);
        await sleep(250);
      }
    },
    async rules() {
      const data = await api<{
        groups: { rules: { name: string; query: string; type: string; health: string; lastError?: string }[] }[];
      }>('/api/v1/rules');
      return data.groups.flatMap((g) => g.rules);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  // Ready once its API answers (it reads no old data: the storage dir is new).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return prometheus;
    if (Date.now() > deadline) {
      await prometheus.stop();
      throw new Error(`prometheus was not ready within 30 s:\n${output}`);
    }
    await sleep(200);
  }
}
