// The decisions of scripts/rollout and scripts/rollback, run against a stand-in kn and a local HTTP candidate; not Knative.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FakeKn, type FakeKnOptions } from './support/rollout/fake-kn';
import { serveFakeKn, SOCKET_ENV } from './support/rollout/fake-kn-server';
import { NAMESPACE, type FakeState, type Scenario } from './support/rollout/scenarios';

const ROOT = path.resolve(__dirname, '../..');
const SUPPORT = path.join(__dirname, 'support/rollout');
const IMAGE = 'ghcr.io/example/usersvc:new9999';
const REVISION = 'usersvc-new9999';
const API_KEY = 'rollout-test-key-0123456789';
/** The flags every rollout run shares: no pause, short readiness polls, few samples, the stand-in smoke script. */
const FAST = ['--pause', '0', '--poll-interval', '0.1', '--samples', '5', '--smoke', path.join(SUPPORT, 'smoke.sh')];

/** What the candidate answers: a status code, or 'drop' to close the connection without an answer. */
type Answer = number | 'drop';
type Behaviour = (request: IncomingMessage, candidatePercent: number) => Answer;
const healthy: Behaviour = () => 200;

interface Run {
  code: number | null;
  output: string;
  /** Every kn call, as argv. */
  calls: string[][];
  /** The `kn service update` calls, without the leading `service update usersvc -n usersvc-test`. */
  updates: string[][];
  smokes: { url: string; apiKey: string }[];
  githubOutput: string;
}

/** One test's world: a stand-in kn serving its own service on a unix socket, and a candidate HTTP server on 127.0.0.1. */
class World {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-test-'));
  readonly requests: { path: string; headers: http.IncomingHttpHeaders }[] = [];
  behaviour: Behaviour = healthy;
  url = '';
  private kn: FakeKn | undefined;
  private closeKn = async () => undefined as void;
  private readonly server = http.createServer((request, response) => {
    this.requests.push({ path: request.url ?? '', headers: request.headers });
    const answer = this.behaviour(request, this.candidatePercent());
    if (answer === 'drop') {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
  });

  constructor(
    readonly scenario: Scenario,
    private readonly knOptions: FakeKnOptions,
  ) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.kn = new FakeKn(this.scenario, { candidateUrl: this.url, ...this.knOptions });
    this.closeKn = (await serveFakeKn(this.kn, path.join(this.dir, 'kn.sock'))).close;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await Promise.all([this.closeKn(), new Promise((resolve) => this.server.close(resolve))]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The stand-in's service, or undefined before its first change. */
  state(): FakeState | undefined {
    return this.kn?.state();
  }

  candidatePercent(): number {
    return this.state()?.traffic.find((t) => t.tag === 'candidate')?.percent ?? 0;
  }

  /** Runs scripts/<script> with the stand-in kn first on PATH; resolves when it exits. */
  async run(script: 'rollout' | 'rollback', args: string[]): Promise<Run> {
    const files = { smoke: 'smoke.log', output: 'github-output' };
    const at = (name: string) => path.join(this.dir, name);
    const childEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // The scripts read these; a developer's or CI's own values must not leak into the test.
      if (value !== undefined && !/^(ROLLOUT_|API_KEY$|GITHUB_OUTPUT$)/.test(key)) childEnv[key] = value;
    }
    Object.assign(childEnv, {
      PATH: `${path.join(SUPPORT, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      [SOCKET_ENV]: at('kn.sock'),
      FAKE_SMOKE_LOG: at(files.smoke),
      GITHUB_OUTPUT: at(files.output),
    });
    const child = spawn(path.join(ROOT, 'scripts', script), args, { cwd: ROOT, env: childEnv });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    const lines = (name: string) =>
      fs.existsSync(at(name)) ? fs.readFileSync(at(name), 'utf8').split('\n').filter(Boolean) : [];
    const calls = [...(this.kn?.calls ?? [])];
    const prefix = ['service', 'update', 'usersvc', '-n', NAMESPACE];
    const updates = calls.filter((argv) => argv[0] === 'service' && argv[1] === 'update');
    for (const argv of updates) expect(argv.slice(0, prefix.length)).toEqual(prefix);
    return {
      code,
      output,
      calls,
      updates: updates.map((argv) => argv.slice(prefix.length)),
      smokes: lines(files.smoke).map((line) => JSON.parse(line) as { url: string; apiKey: string }),
      githubOutput: fs.existsSync(at(files.output)) ? fs.readFileSync(at(files.output), 'utf8') : '',
    };
  }
}

// The scenarios share nothing (each world has its own kn, candidate and folder), so they run concurrently: most of
// a scenario's time is spent waiting on the script's processes, and every world is closed once all have run.
const worlds: World[] = [];
async function world(scenario: Scenario, knOptions: FakeKnOptions = {}): Promise<World> {
  const created = await new World(scenario, knOptions).start();
  worlds.push(created);
  return created;
}
afterAll(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

const rollout = (w: World, extra: string[] = []) =>
  w.run('rollout', ['-n', NAMESPACE, '--image', IMAGE, '--revision', REVISION, ...FAST, ...extra]);

/** Whether any update gave the candidate a share of the traffic. */
const shiftedTraffic = (run: Run) =>
  run.updates.some((argv) => argv.some((arg) => new RegExp(`${REVISION}=[1-9]`).test(arg)));

const createCandidate = [
  '--image',
  IMAGE,
  '--revision-name',
  REVISION,
  '--traffic',
  'usersvc-bbb2222=100',
  '--tag',
  `${REVISION}=candidate`,
];
const moveBack = ['--traffic', 'usersvc-bbb2222=100'];
const untagCandidate = ['--untag', 'candidate'];

describe('rollout script decisions (stand-in kn, local HTTP candidate)', () => {
  it.concurrent(
    'success (release manifest applied): shifts 10→50→100 with a passing gate at each step, then retags current/previous',
    async () => {
      const w = await world('manifest-applied');
      const run = await rollout(w, ['--api-key', API_KEY]);

      expect(run.code).toBe(0);
      // The candidate is in place already, so the first command moves traffic.
      expect(run.updates).toEqual([
        ['--traffic', `${REVISION}=10,usersvc-bbb2222=90`],
        ['--traffic', `${REVISION}=50,usersvc-bbb2222=50`],
        ['--traffic', `${REVISION}=100`],
        [
          '--untag',
          'candidate',
          '--untag',
          'current',
          '--tag',
          `${REVISION}=current`,
          '--tag',
          'usersvc-bbb2222=previous',
        ],
      ]);
      expect(w.state()?.traffic).toEqual([
        { revisionName: 'usersvc-bbb2222', percent: 0, tag: 'previous' },
        { revisionName: REVISION, percent: 100, tag: 'current' },
      ]);
      // The gate ran at 0, 10, 50 and 100%: smoke with the key, /ready, and 5 keyed samples each time.
      expect(run.smokes).toEqual(Array(4).fill({ url: w.url, apiKey: API_KEY }));
      expect(w.requests.filter((r) => r.path === '/ready')).toHaveLength(4);
      const samples = w.requests.filter((r) => r.path === '/api/v1/users?limit=1');
      expect(samples).toHaveLength(20);
      expect(samples.every((r) => r.headers['x-api-key'] === API_KEY)).toBe(true);
      expect(run.githubOutput).toBe('previous_revision=usersvc-bbb2222\n');
      expect(run.output).toContain('DONE: usersvc-new9999 serves 100%');
    },
  );

  it.concurrent('success (no manifest): creates the candidate at 0% with kn, shifts 10→50→100, untags it', async () => {
    const w = await world('steady');
    const run = await rollout(w);

    expect(run.code).toBe(0);
    expect(run.updates).toEqual([
      createCandidate,
      ['--traffic', `${REVISION}=10,usersvc-bbb2222=90`],
      ['--traffic', `${REVISION}=50,usersvc-bbb2222=50`],
      ['--traffic', `${REVISION}=100`],
      ['--untag', 'candidate', '--tag', `${REVISION}=current`, '--tag', 'usersvc-bbb2222=previous'],
    ]);
    expect(w.state()?.traffic).toEqual([
      { revisionName: REVISION, percent: 100, tag: 'current' },
      { revisionName: 'usersvc-bbb2222', percent: 0, tag: 'previous' },
    ]);
  });

  it.concurrent(
    'a failing smoke test at 0% moves 100% back to the previous revision, untags, exits 1 and never shifts traffic',
    async () => {
      const w = await world('steady');
      w.behaviour = (request) => (request.url === '/health' ? 500 : 200);
      const run = await rollout(w);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([createCandidate, moveBack, untagCandidate]);
      expect(shiftedTraffic(run)).toBe(false);
      expect(w.state()?.traffic).toEqual([{ revisionName: 'usersvc-bbb2222', percent: 100 }]);
      expect(run.output).toContain('gate at 0%: FAIL: the smoke test failed');
    },
  );

  it.concurrent(
    'a candidate that starts answering 500 once it has 10% is rolled back at once, before the 50% step',
    async () => {
      const w = await world('manifest-applied');
      w.behaviour = (_request, candidatePercent) => (candidatePercent > 0 ? 500 : 200);
      const run = await rollout(w);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([['--traffic', `${REVISION}=10,usersvc-bbb2222=90`], moveBack, untagCandidate]);
      expect(w.state()?.traffic).toEqual([{ revisionName: 'usersvc-bbb2222', percent: 100, tag: 'current' }]);
      expect(run.output).toContain('gate at 10%: FAIL');
      expect(run.output).toContain('rolled back: usersvc-bbb2222 serves 100%');
    },
  );

  it.concurrent(
    'the error-rate gate counts 5xx and dropped connections on sampled requests and fails above the limit at 50%',
    async () => {
      const w = await world('steady');
      let sample = 0;
      // Smoke and /ready stay green; only the sampled API requests go bad once the candidate has half the traffic.
      w.behaviour = (request, candidatePercent) => {
        if (!request.url?.startsWith('/api/') || candidatePercent < 50) return 200;
        sample += 1;
        return sample % 4 === 0 ? 500 : sample % 4 === 1 ? 'drop' : 200;
      };
      const run = await rollout(w);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([
        createCandidate,
        ['--traffic', `${REVISION}=10,usersvc-bbb2222=90`],
        ['--traffic', `${REVISION}=50,usersvc-bbb2222=50`],
        moveBack,
        untagCandidate,
      ]);
      expect(run.output).toMatch(/gate at 50%: FAIL: 3 of 5 sampled requests failed \(1 5xx, 2 without answer\)/);
    },
  );

  it.concurrent(
    'an error rate at the limit passes the gate (1 failed of 10 samples with --max-error-rate 10)',
    async () => {
      const w = await world('steady');
      w.behaviour = (request) => (String(request.headers['x-request-id']).endsWith('-1') ? 503 : 200);
      const run = await rollout(w, ['--samples', '10', '--max-error-rate', '10']);

      expect(run.code).toBe(0);
      expect(run.output).toContain('gate at 100%: PASS: smoke ok, /ready 200, 1 of 10 sampled requests failed');
    },
  );

  it.concurrent(
    'honours --steps and reuses a revision left by a failed earlier attempt instead of creating it',
    async () => {
      const w = await world('failed-attempt');
      const run = await rollout(w, ['--steps', '25,100']);

      expect(run.code).toBe(0);
      expect(run.updates).toEqual([
        ['--traffic', 'usersvc-bbb2222=100', '--tag', `${REVISION}=candidate`],
        ['--traffic', `${REVISION}=25,usersvc-bbb2222=75`],
        ['--traffic', `${REVISION}=100`],
        ['--untag', 'candidate', '--tag', `${REVISION}=current`, '--tag', 'usersvc-bbb2222=previous'],
      ]);
    },
  );

  it.concurrent(
    'a candidate revision that never becomes Ready is untagged, traffic stays on the previous one, exit 1',
    async () => {
      const w = await world('steady', { unready: REVISION });
      const run = await rollout(w);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([createCandidate, moveBack, untagCandidate]);
      expect(run.smokes).toEqual([]);
      expect(run.output).toContain(`revision ${REVISION} was not created or did not become ready`);
    },
  );

  it.concurrent(
    'a manifest-applied candidate whose revision is not Ready is rolled back before any gate, exit 1',
    async () => {
      const w = await world('manifest-applied', { unready: REVISION });
      const run = await rollout(w);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([moveBack, untagCandidate]);
      expect(run.smokes).toEqual([]);
      expect(run.output).toContain(`revision ${REVISION} is not Ready: image pull failed`);
    },
  );

  it.concurrent(
    'waits for the route to the candidate tag and rolls back when it is not Ready within --ready-timeout',
    async () => {
      const w = await world('manifest-applied', { routePending: true });
      const run = await rollout(w, ['--ready-timeout', '0']);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([moveBack, untagCandidate]);
      expect(run.smokes).toEqual([]);
      expect(run.output).toContain('the route to its tag were not Ready within 0s');
    },
  );

  it.concurrent('removes a stale candidate tag in the same command that creates the new candidate', async () => {
    const w = await world('stale-candidate');
    const run = await rollout(w);

    expect(run.code).toBe(0);
    expect(run.updates[0]).toEqual([
      '--image',
      IMAGE,
      '--revision-name',
      REVISION,
      '--untag',
      'candidate',
      '--traffic',
      'usersvc-bbb2222=100',
      '--tag',
      `${REVISION}=candidate`,
    ]);
    // The revision tagged previous before is replaced by the one this rollout started from.
    expect(run.updates.at(-1)).toEqual([
      '--untag',
      'candidate',
      '--untag',
      'previous',
      '--tag',
      `${REVISION}=current`,
      '--tag',
      'usersvc-bbb2222=previous',
    ]);
  });

  it.concurrent('exits 3 and says so when moving the traffic back fails', async () => {
    const w = await world('steady', {
      failCommand: `service update usersvc -n ${NAMESPACE} --traffic usersvc-bbb2222=100`,
    });
    w.behaviour = () => 500;
    const run = await rollout(w);

    expect(run.code).toBe(3);
    expect(run.output).toContain('ROLLBACK FAILED');
  });

  it.concurrent('refuses to start, changing nothing, while an earlier rollout holds split traffic', async () => {
    const w = await world('interrupted-canary');
    const run = await rollout(w);

    expect(run.code).toBe(2);
    expect(run.updates).toEqual([]);
    expect(run.output).toContain('no single revision serves 100%');
    expect(run.output).toContain('usersvc-bbb2222=50%, usersvc-ccc3333=50%');
  });

  it.concurrent('rejects bad input with exit 2 before calling kn', async () => {
    const w = await world('steady');
    const noImage = await w.run('rollout', ['-n', NAMESPACE, '--revision', REVISION, ...FAST]);
    const badSteps = await rollout(w, ['--steps', '10,50']);
    const badRevision = await w.run('rollout', ['-n', NAMESPACE, '--image', IMAGE, '--revision', 'other-1', ...FAST]);

    expect([noImage.code, badSteps.code, badRevision.code]).toEqual([2, 2, 2]);
    expect(noImage.output).toContain('--image is required');
    expect(badSteps.output).toContain('--steps must end at 100');
    expect(badRevision.output).toContain("--revision must start with 'usersvc-'");
    expect([...noImage.calls, ...badSteps.calls, ...badRevision.calls]).toEqual([]);
  });

  it.concurrent(
    'refuses --prometheus with exit 2 before calling kn when it cannot judge or reach Prometheus',
    async () => {
      const w = await world('steady');
      const noPause = await rollout(w, ['--prometheus', w.url]);
      // Nothing listens on port 9 (discard) of the loopback address; the candidate server does not speak PromQL.
      const unreachable = await rollout(w, ['--pause', '5', '--prometheus', 'http://127.0.0.1:9']);
      const notPrometheus = await rollout(w, ['--pause', '5', '--prometheus', `${w.url}/`]);

      expect([noPause.code, unreachable.code, notPrometheus.code]).toEqual([2, 2, 2]);
      expect(noPause.output).toContain('--prometheus judges the last --pause seconds of traffic: give it at least 5');
      expect(unreachable.output).toContain('Prometheus at http://127.0.0.1:9 does not answer a query');
      expect(notPrometheus.output).toContain(`Prometheus at ${w.url} does not answer a query`);
      expect([...noPause.calls, ...unreachable.calls, ...notPrometheus.calls]).toEqual([]);
    },
  );
});

describe('rollout on a first deploy (a Service that has never served; stand-in kn)', () => {
  /** The script's own lines (not the smoke script's), with the candidate's address made stable. */
  const logLines = (run: Run, w: World) =>
    run.output
      .split('\n')
      .filter((line) => line.startsWith('rollout: '))
      .map((line) => line.replaceAll(w.url, 'CANDIDATE_URL'));
  const firstDeployLines = [
    `rollout: service usersvc in ${NAMESPACE} has no traffic yet (status.traffic is empty): first deploy of ${REVISION}`,
    `rollout: first deploy: there is no revision to roll back to; ${REVISION} gets 100% and must pass the gate once Ready`,
  ];

  it.concurrent(
    'waits for the first revision to be Ready, gates it at 100%, tags it current; no steps, nothing to roll back to',
    async () => {
      // The revision reports Ready Unknown on the first two `kn revision list` answers, so the script polls once.
      const w = await world('new-service', { starting: { revision: REVISION, answers: 2 } });
      const run = await rollout(w, ['--api-key', API_KEY]);

      expect(run.code).toBe(0);
      // The first-deploy manifest gave it 100% already: the only change is dropping the tag candidate.
      expect(run.updates).toEqual([untagCandidate]);
      expect(w.state()?.traffic).toEqual([{ revisionName: REVISION, percent: 100, tag: 'current' }]);
      expect(logLines(run, w)).toEqual([
        ...firstDeployLines,
        `rollout: revision ${REVISION} is in place with 100% of the traffic and the tag candidate (the first-deploy release manifest)`,
        `rollout: waiting for revision ${REVISION} and the route to its tag to be Ready`,
        `rollout: revision ${REVISION} is Ready`,
        'rollout: candidate URL: CANDIDATE_URL',
        `rollout: gate at 100%: smoke test ${path.join(SUPPORT, 'smoke.sh')} CANDIDATE_URL`,
        'rollout: gate at 100%: PASS: smoke ok, /ready 200, 0 of 5 sampled requests failed (0 5xx, 0 without answer): 0.00%, limit 1%',
        `rollout: kn service update usersvc -n ${NAMESPACE} --untag candidate`,
        `rollout: DONE: first deploy: ${REVISION} serves 100% of usersvc (no earlier revision; the next rollout can return to this one)`,
      ]);
      // The same gate as every later deploy, once: smoke with the key, /ready, 5 keyed samples.
      expect(run.smokes).toEqual([{ url: w.url, apiKey: API_KEY }]);
      expect(w.requests.filter((r) => r.path === '/ready')).toHaveLength(1);
      expect(w.requests.filter((r) => r.path === '/api/v1/users?limit=1')).toHaveLength(5);
      // Nothing for the workflow's roll back step.
      expect(run.githubOutput).toBe('');
    },
  );

  it.concurrent(
    'still gates a first revision whose route came up before the script ran (tag candidate not yet removed)',
    async () => {
      const w = await world('new-service');
      const run = await rollout(w);

      expect(run.code).toBe(0);
      expect(run.output).toContain(
        `service usersvc in ${NAMESPACE} sends traffic only to ${REVISION}, still tagged candidate: an unfinished first deploy`,
      );
      expect(run.output).not.toContain('already serves 100%');
      expect(run.smokes).toHaveLength(1);
      expect(run.updates).toEqual([untagCandidate]);
    },
  );

  it.concurrent(
    "after a failed first deploy, kn creates the revision with 100% and drops the failed revision's tags",
    async () => {
      const w = await world('failed-first-deploy');
      const run = await rollout(w);

      expect(run.code).toBe(0);
      expect(run.updates).toEqual([
        [
          '--image',
          IMAGE,
          '--revision-name',
          REVISION,
          '--untag',
          'candidate',
          '--untag',
          'current',
          '--traffic',
          `${REVISION}=100`,
          '--tag',
          `${REVISION}=candidate`,
        ],
        ['--untag', 'candidate', '--tag', `${REVISION}=current`],
      ]);
      expect(run.output).toContain(
        `DECISION: first deploy: create revision ${REVISION} (image ${IMAGE}) with 100% of the traffic and the tag candidate`,
      );
      expect(w.state()?.traffic).toEqual([{ revisionName: REVISION, percent: 100, tag: 'current' }]);
      expect(run.githubOutput).toBe('');
    },
  );

  it.concurrent(
    'a first revision that fails (never Ready) exits 1, changes nothing and says there is nothing to roll back to',
    async () => {
      const w = await world('new-service', { unready: REVISION });
      const run = await rollout(w);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([]);
      expect(run.smokes).toEqual([]);
      expect(run.githubOutput).toBe('');
      expect(logLines(run, w).slice(-2)).toEqual([
        `rollout: DECISION: stop the first deploy (revision ${REVISION} is not Ready: image pull failed)`,
        'rollout: NOTHING TO ROLL BACK TO: this is the first deploy of usersvc; no revision has served it yet and none will until one is Ready. Fix forward with a new commit (its deploy is a first deploy again)',
      ]);
    },
  );

  it.concurrent(
    'a first revision still starting when --ready-timeout runs out exits 1 with nothing to roll back to',
    async () => {
      const w = await world('new-service', { starting: { revision: REVISION, answers: 1000 } });
      const run = await rollout(w, ['--ready-timeout', '0']);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([]);
      expect(run.smokes).toEqual([]);
      expect(run.output).toContain(
        `DECISION: stop the first deploy (revision ${REVISION} and the route to its tag were not Ready within 0s)`,
      );
      expect(run.output).toContain('NOTHING TO ROLL BACK TO');
    },
  );

  it.concurrent(
    'a first revision failing its gate exits 1 and keeps 100% (there is nowhere else to send it), saying so',
    async () => {
      const w = await world('new-service');
      w.behaviour = (request) => (request.url === '/health' ? 500 : 200);
      const run = await rollout(w);

      expect(run.code).toBe(1);
      expect(run.updates).toEqual([]);
      expect(run.output).toContain('gate at 100%: FAIL: the smoke test failed');
      expect(run.output).toContain(
        `NOTHING TO ROLL BACK TO: this is the first deploy of usersvc and no other revision has served it, so ${REVISION} keeps 100% of the traffic`,
      );
    },
  );

  it.concurrent('with no Service at all, exits 2 and changes nothing: the release manifest creates it', async () => {
    const w = await world('new-service');
    const run = await w.run('rollout', [
      '-n',
      NAMESPACE,
      '-s',
      'absent',
      '--image',
      IMAGE,
      '--revision',
      'absent-new9999',
      ...FAST,
    ]);

    expect(run.code).toBe(2);
    expect(run.updates).toEqual([]);
    expect(run.output).toContain('services.serving.knative.dev "absent" not found');
    expect(run.output).toContain('a first deploy applies the release manifest first, which creates it');
  });
});

describe('rollback script decisions (stand-in kn)', () => {
  const rollback = (w: World, args: string[] = []) => w.run('rollback', ['-n', NAMESPACE, ...args]);

  it.concurrent('moves 100% to a named revision in one command', async () => {
    const w = await world('steady');
    const run = await rollback(w, ['usersvc-aaa1111']);

    expect(run.code).toBe(0);
    expect(run.updates).toEqual([['--traffic', 'usersvc-aaa1111=100']]);
    expect(w.state()?.traffic).toEqual([{ revisionName: 'usersvc-aaa1111', percent: 100 }]);
  });

  it.concurrent('with no argument, moves 100% to the revision tagged previous', async () => {
    const w = await world('steady-with-previous');
    const run = await rollback(w);

    expect(run.code).toBe(0);
    expect(run.updates).toEqual([['--traffic', 'usersvc-aaa1111=100']]);
    expect(run.output).toContain('it is tagged previous');
  });

  it.concurrent(
    'with no argument and no previous tag, picks the newest Ready revision that is not serving (skipping a failed one)',
    async () => {
      const w = await world('no-previous-tag');
      const run = await rollback(w);

      expect(run.code).toBe(0);
      expect(run.updates).toEqual([['--traffic', 'usersvc-bbb2222=100']]);
    },
  );

  it.concurrent(
    'with no argument during a half-way rollout, returns to the revision it started from and drops the candidate tag',
    async () => {
      const w = await world('interrupted-canary');
      const run = await rollback(w);

      expect(run.code).toBe(0);
      expect(run.updates).toEqual([['--traffic', 'usersvc-bbb2222=100', '--untag', 'candidate']]);
      expect(w.state()?.traffic).toEqual([
        { revisionName: 'usersvc-bbb2222', percent: 100 },
        { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'previous' },
      ]);
    },
  );

  it.concurrent(
    'refuses plainly, changing nothing, on a Service that has never served (a failed first deploy)',
    async () => {
      const w = await world('failed-first-deploy');
      const run = await rollback(w);

      expect(run.code).toBe(2);
      expect(run.updates).toEqual([]);
      expect(run.output).toContain('usersvc has never served traffic');
      expect(run.output).toContain('there is no revision to roll back to');
    },
  );

  it.concurrent(
    'refuses, changing nothing, to send 100% to a revision that is not Ready or does not exist',
    async () => {
      const w = await world('no-previous-tag');
      const unready = await rollback(w, ['usersvc-ccc3333']);
      const missing = await rollback(w, ['usersvc-zzz0000']);

      expect([unready.code, missing.code]).toEqual([2, 2]);
      expect(unready.output).toContain('is not Ready');
      expect(missing.output).toContain('does not exist');
      expect([...unready.updates, ...missing.updates]).toEqual([]);
    },
  );
});
