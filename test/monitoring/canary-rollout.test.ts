// scripts/rollout --prometheus for real: two service processes labelled as the serving and the candidate revision,
// Debian's Prometheus scraping both, load split between them as the stand-in kn's traffic says, and the real script.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeKn } from '../deploy/support/rollout/fake-kn';
import { serveFakeKn, SOCKET_ENV } from '../deploy/support/rollout/fake-kn-server';
import { NAMESPACE } from '../deploy/support/rollout/scenarios';
import { createPostgresDatabase } from '../support/database';
import { ROOT, startService } from '../support/service';
import { startLoad } from './support/load';
import { startPrometheus } from './support/prometheus';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
const SUPPORT = path.join(ROOT, 'test/deploy/support/rollout');
const STABLE = 'usersvc-bbb2222';
const CANDIDATE = 'usersvc-new9999';
/** Seconds each step's traffic runs before its gate; the analysis judges that window. */
const PAUSE = 8;
/** Where each run's log is kept for reading (test/output/ is git-ignored). */
const OUTPUT = path.join(ROOT, 'test/output');

interface Outcome {
  code: number | null;
  /** The script's own lines. */
  log: string[];
  /** The `kn service update` calls, without `service update usersvc -n NAMESPACE`. */
  updates: string[][];
}

/**
 * One rollout of CANDIDATE over STABLE (the release manifest applied: the candidate at 0% behind its tag): both
 * services on one migrated database, the candidate's connections set by `candidateOptions`, `requestsPerSecond` of
 * load split by the stand-in kn's current traffic, and scripts/rollout with --prometheus and --steps 50,100.
 */
async function rollout(name: string, candidateOptions: string, requestsPerSecond: number): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-'));
  const database = await createPostgresDatabase();
  const candidateUrl = candidateOptions
    ? `${database.url}?options=${encodeURIComponent(candidateOptions)}`
    : database.url;
  const [stable, candidate] = await Promise.all([
    startService({ env: { DATABASE_URL: database.url } }),
    startService({ env: { DATABASE_URL: candidateUrl } }),
  ]);
  const labels = (revision: string) => ({ revision, namespace: NAMESPACE, service: 'usersvc' });
  const prometheus = await startPrometheus([
    { address: `127.0.0.1:${stable.port}`, labels: labels(STABLE) },
    { address: `127.0.0.1:${candidate.port}`, labels: labels(CANDIDATE) },
  ]);
  const kn = new FakeKn('manifest-applied', { candidateUrl: candidate.url });
  const knServer = await serveFakeKn(kn, path.join(dir, 'kn.sock'));
  const load = startLoad({
    stableUrl: stable.url,
    candidateUrl: candidate.url,
    candidatePercent: () => kn.state()?.traffic.find((t) => t.revisionName === CANDIDATE)?.percent ?? 0,
    requestsPerSecond,
  });
  try {
    await prometheus.waitForTargets(2);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !/^(ROLLOUT_|API_KEY$|GITHUB_OUTPUT$)/.test(key)) env[key] = value;
    }
    Object.assign(env, {
      PATH: `${path.join(SUPPORT, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      [SOCKET_ENV]: path.join(dir, 'kn.sock'),
      FAKE_SMOKE_LOG: path.join(dir, 'smoke.log'),
    });
    const args = ['-n', NAMESPACE, '--image', 'ghcr.io/example/usersvc:new9999', '--revision', CANDIDATE];
    args.push('--steps', '50,100', '--pause', String(PAUSE), '--poll-interval', '0.1', '--samples', '5');
    args.push('--smoke', path.join(SUPPORT, 'smoke.sh'), '--prometheus', prometheus.url);
    const child = spawn(path.join(ROOT, 'scripts/rollout'), args, { cwd: ROOT, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    fs.mkdirSync(OUTPUT, { recursive: true });
    fs.writeFileSync(path.join(OUTPUT, `canary-${name}.log`), output);
    const prefix = 5; // service update usersvc -n NAMESPACE
    return {
      code,
      log: output.split('\n').filter((line) => line.startsWith('rollout: ')),
      updates: kn.calls.filter((argv) => argv[0] === 'service' && argv[1] === 'update').map((a) => a.slice(prefix)),
    };
  } finally {
    await load.stop();
    await Promise.all([prometheus.stop(), stable.stop(), candidate.stop(), knServer.close()]);
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const half = ['--traffic', `${CANDIDATE}=50,${STABLE}=50`];
const all = ['--traffic', `${CANDIDATE}=100`];

describe('scripts/rollout --prometheus judging real traffic (Debian’s Prometheus, two service processes)', () => {
  it('rolls back at the first step a candidate whose writes fail, naming the SLI and its figures', async () => {
    // Read-only transactions: reads, /ready, the smoke test and the sampled GETs all pass; every create fails.
    const run = await rollout('writes-fail', '-c default_transaction_read_only=on', 24);

    expect(run.code).toBe(1);
    expect(run.updates).toEqual([half, ['--traffic', `${STABLE}=100`], ['--untag', 'candidate']]);
    const analysis = run.log.filter((line) => line.includes('analysis at 50%'));
    expect(analysis.join('\n')).toMatch(
      /availability SLI \(share answered 5xx, last 8s\): candidate usersvc-new9999 \d+\.\d\d% \(\d+ of \d+\), stable usersvc-bbb2222 0\.00% \(0 of \d+\)/,
    );
    expect(analysis.join('\n')).toMatch(
      /FAIL: availability: the candidate's 5xx ratio \d+\.\d\d% is above the SLO's fast-burn limit 1\.44% and above the stable revision's 0\.00% by more than 0\.50%/,
    );
    expect(run.log).toContain(
      'rollout: gate at 50%: FAIL: the canary analysis failed (the lines above name the SLI and its figures)',
    );
    expect(run.log.at(-1)).toContain(`rolled back: ${STABLE} serves 100%`);
  });

  it('promotes a good candidate on the analysis at each step', async () => {
    const run = await rollout('good', '', 24);

    expect(run.code).toBe(0);
    expect(run.updates.slice(0, 2)).toEqual([half, all]);
    const lines = run.log.join('\n');
    expect(lines).toMatch(
      /analysis at 50%: availability SLI .*candidate usersvc-new9999 0\.00% \(\d+ of \d+\), stable usersvc-bbb2222 0\.00%/,
    );
    expect(lines).toMatch(/analysis at 50%: latency SLI \(API p99, last 8s\): candidate \d+\.\d ms, stable \d+\.\d ms/);
    expect(lines).toMatch(
      /analysis at 50%: PASS: 5xx ratio 0\.00% within 1\.44% or within 0\.50% of the stable revision/,
    );
    // At 100% the stable revision has no traffic left to compare with.
    expect(lines).toMatch(/analysis at 100%: the stable revision served 0 requests \(fewer than 50\)/);
    expect(lines).toContain('gate at 100%: PASS: smoke ok, /ready 200, the canary analysis passed');
    expect(run.log.at(-1)).toContain(`DONE: ${CANDIDATE} serves 100%`);
  });

  it('falls back to the synthetic sample when the candidate got too little traffic to judge', async () => {
    const run = await rollout('too-little-traffic', '', 2);

    expect(run.code).toBe(0);
    const lines = run.log.join('\n');
    expect(lines).toMatch(
      /analysis at 50%: too little traffic to judge: usersvc-new9999 served \d+ requests in the last 8s, fewer than 50 \(slo.json canary.minRequests\); falling back to the synthetic sample/,
    );
    expect(lines).toMatch(/gate at 50%: PASS: smoke ok, \/ready 200, 0 of 5 sampled requests failed/);
  });
});
