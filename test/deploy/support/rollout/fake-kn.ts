// Stand-in for the kn CLI in the rollout tests: records every call and keeps a tiny Knative Service in memory.
//
// It is not Knative. It answers the few commands scripts/rollout and scripts/rollback use (service describe,
// revision list, service update) and applies --untag, --tag and --traffic in kn's documented order, so a test can
// check which commands a script decided to run and where the traffic ended up. The scripts reach it through
// bin/kn and a unix socket (fake-kn-server.ts): it lives in the test process, so a kn call costs no node start-up.
import { NAMESPACE, SERVICE, scenarios, type FakeRevision, type FakeState, type Scenario } from './scenarios';

export interface FakeKnOptions {
  /** URL reported for the tag "candidate" (the test's HTTP server). */
  candidateUrl?: string;
  /** A revision whose Ready condition is False (a kn update that creates it fails, as kn's wait does). */
  unready?: string;
  /** A revision that is Unknown (still starting) until `kn revision list` has answered `answers` times. */
  starting?: { revision: string; answers: number };
  /** The service's Ready condition stays Unknown (its route is still being programmed). */
  routePending?: boolean;
  /** The exact argv, joined by spaces, that fails as if the API server refused it. */
  failCommand?: string;
}

/** What kn printed and how it exited. */
export interface KnAnswer {
  code: 0 | 1;
  stdout: string;
  stderr: string;
}

/** kn's way of failing: one `Error: ...` line on stderr, exit 1. */
class KnFailure extends Error {}
function fail(message: string): never {
  throw new KnFailure(message);
}

type Flags = Partial<Record<string, string[]>>;
const valueFlags = new Map([
  ['-n', 'namespace'],
  ['--namespace', 'namespace'],
  ['-o', 'output'],
  ['--output', 'output'],
  ['-s', 'service'],
  ['--service', 'service'],
  ['--image', 'image'],
  ['--revision-name', 'revision-name'],
  ['--traffic', 'traffic'],
  ['--tag', 'tag'],
  ['--untag', 'untag'],
  ['--wait-timeout', 'wait-timeout'],
]);

/** Splits argv into positional words and flag values (every flag may repeat; values may be comma lists). */
function parse(argv: string[]): { words: string[]; flags: Flags } {
  const words: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    const name = valueFlags.get(flag);
    if (name) {
      const value = inline ?? argv[++i];
      if (value === undefined) fail(`flag needs an argument: ${flag}`);
      (flags[name] ??= []).push(value);
    } else if (flag === '--no-wait' || flag === '--wait') {
      flags[flag.slice(2)] = ['true'];
    } else if (flag.startsWith('-')) {
      fail(`unknown flag: ${flag}`);
    } else {
      words.push(arg);
    }
  }
  return { words, flags };
}

function checkTarget(flags: Flags, name: string | undefined): void {
  if (name !== SERVICE) fail(`services.serving.knative.dev "${name}" not found`);
  const namespace = flags.namespace?.[0] ?? 'default';
  if (namespace !== NAMESPACE) fail(`services.serving.knative.dev "${name}" not found in namespace ${namespace}`);
}

export class FakeKn {
  /** Every kn call, as argv. */
  readonly calls: string[][] = [];
  /** The service as the last successful change left it; undefined before the first one. */
  private saved: FakeState | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: FakeKnOptions = {},
  ) {}

  /** The stand-in's service, or undefined before its first change. */
  state(): FakeState | undefined {
    return this.saved && structuredClone(this.saved);
  }

  /** Answers one kn command line. Like the kn process it stands for, a failed command changes nothing. */
  run(argv: string[]): KnAnswer {
    this.calls.push(argv);
    try {
      return { code: 0, stdout: this.answer(argv), stderr: '' };
    } catch (error) {
      if (!(error instanceof KnFailure)) throw error;
      return { code: 1, stdout: '', stderr: `Error: ${error.message}\n` };
    }
  }

  private answer(argv: string[]): string {
    if (this.options.failCommand !== undefined && argv.join(' ') === this.options.failCommand) {
      fail('the server rejected the request (simulated)');
    }
    const { words, flags } = parse(argv);
    const state = this.state() ?? scenarios[this.scenario]();
    const [group, verb, name] = words;
    const command = `${group} ${verb}`;
    if (command === 'service describe') {
      checkTarget(flags, name);
      if (flags.output?.[0] !== 'json') fail('this stand-in only answers -o json');
      return `${JSON.stringify(this.serviceJson(state), null, 2)}\n`;
    }
    if (command === 'revision list') {
      checkTarget(flags, flags.service?.[0]);
      if (flags.output?.[0] !== 'json') fail('this stand-in only answers -o json');
      if (this.options.starting) {
        state.revisionLists = (state.revisionLists ?? 0) + 1;
        this.saved = structuredClone(state);
      }
      return `${JSON.stringify(this.revisionListJson(state), null, 2)}\n`;
    }
    if (command === 'service update') {
      checkTarget(flags, name);
      return this.update(state, flags);
    }
    fail(`this stand-in does not implement "kn ${argv.join(' ')}"`);
  }

  /** Whether r is still starting: see FakeKnOptions.starting; the state counts the `revision list` answers. */
  private isStarting(r: FakeRevision, state: FakeState): boolean {
    const starting = this.options.starting;
    return r.name === starting?.revision && (state.revisionLists ?? 0) <= starting.answers;
  }
  private isFailed(r: FakeRevision): boolean {
    return !r.ready || r.name === this.options.unready;
  }
  private isReady(r: FakeRevision, state: FakeState): boolean {
    return !this.isFailed(r) && !this.isStarting(r, state);
  }

  /** The revisions the traffic block names, and whether the route has been programmed (see scenario new-service). */
  private route(state: FakeState): { named: (FakeRevision | undefined)[]; programmed: boolean } {
    const named = state.traffic.map((t) => state.revisions.find((r) => r.name === t.revisionName));
    return { named, programmed: state.routed !== false || named.every((r) => r && this.isReady(r, state)) };
  }

  private tagUrl(tag: string): string {
    if (tag === 'candidate' && this.options.candidateUrl) return this.options.candidateUrl;
    return `http://${tag}-${SERVICE}.${NAMESPACE}.example.test`;
  }

  private serviceJson(state: FakeState) {
    const byGeneration = (a: FakeRevision, b: FakeRevision) => b.generation - a.generation;
    const newest = [...state.revisions].sort(byGeneration)[0] as FakeRevision;
    const newestReady = state.revisions.filter((r) => this.isReady(r, state)).sort(byGeneration)[0];
    // A route that has never been Ready (routed: false) reports no traffic until every revision it names is Ready,
    // as Knative does; the other scenarios start from a route that was programmed long ago.
    const { named, programmed } = this.route(state);
    const failed = named.some((r) => r && this.isFailed(r));
    const ready = programmed ? (this.options.routePending ? 'Unknown' : 'True') : failed ? 'False' : 'Unknown';
    const target = (t: FakeState['traffic'][number]) => ({
      ...(t.tag ? { tag: t.tag } : {}),
      revisionName: t.revisionName,
      latestRevision: false,
      percent: t.percent,
    });
    return {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: SERVICE, namespace: NAMESPACE, generation: state.revisions.length },
      spec: {
        template: { metadata: { name: newest.name }, spec: { containers: [{ image: newest.image }] } },
        traffic: state.traffic.map(target),
      },
      status: {
        url: `http://${SERVICE}.${NAMESPACE}.example.test`,
        observedGeneration: state.revisions.length,
        latestCreatedRevisionName: newest.name,
        latestReadyRevisionName: newestReady?.name,
        conditions: [{ type: 'Ready', status: ready }],
        ...(programmed
          ? { traffic: state.traffic.map((t) => ({ ...target(t), ...(t.tag ? { url: this.tagUrl(t.tag) } : {}) })) }
          : {}),
      },
    };
  }

  private revisionListJson(state: FakeState) {
    const base = Date.parse('2025-01-01T00:00:00Z');
    const readiness = (r: FakeRevision) =>
      this.isFailed(r)
        ? { type: 'Ready', status: 'False', reason: 'ContainerMissing', message: 'image pull failed' }
        : this.isStarting(r, state)
          ? { type: 'Ready', status: 'Unknown', reason: 'Deploying' }
          : { type: 'Ready', status: 'True' };
    return {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'RevisionList',
      items: state.revisions.map((r) => ({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Revision',
        metadata: {
          name: r.name,
          namespace: NAMESPACE,
          creationTimestamp: new Date(base + r.generation * 60_000).toISOString().replace('.000', ''),
          labels: {
            'serving.knative.dev/service': SERVICE,
            'serving.knative.dev/configurationGeneration': String(r.generation),
          },
        },
        spec: { containers: [{ image: r.image }] },
        status: { conditions: [readiness(r)] },
      })),
    };
  }

  /** kn service update: new revision, then --untag, --tag, --traffic in kn's precedence, then drop empty targets. */
  private update(state: FakeState, flags: Flags): string {
    const known = (name: string) => state.revisions.some((r) => r.name === name);
    if (this.route(state).programmed) delete state.routed; // once programmed, a route keeps its last good traffic
    let created: FakeRevision | undefined;
    if (flags.image || flags['revision-name']) {
      const name = flags['revision-name']?.[0];
      if (!name || !name.startsWith(`${SERVICE}-`)) fail('this stand-in needs --revision-name SERVICE-...');
      if (known(name)) fail(`revisions.serving.knative.dev "${name}" already exists`);
      const generation = Math.max(...state.revisions.map((r) => r.generation)) + 1;
      created = { name, generation, image: flags.image?.[0] ?? 'unchanged', ready: true };
      state.revisions.push(created);
    }
    const traffic = state.traffic.map((t) => ({ ...t }));
    const untags = (flags.untag ?? []).flatMap((v) => v.split(','));
    const missing = untags.filter((tag) => !traffic.some((t) => t.tag === tag));
    if (missing.length) fail(`tag(s) ${missing.join(', ')} not present for any revisions of service ${SERVICE}`);
    for (const tag of untags) {
      const tagged = traffic.find((t) => t.tag === tag);
      if (tagged) delete tagged.tag;
    }
    for (const pair of (flags.tag ?? []).flatMap((v) => v.split(','))) {
      const [rev = '', tag] = pair.split('=');
      if (!known(rev)) fail(`revision ${rev} does not exist`);
      if (traffic.some((t) => t.tag === tag && t.revisionName === rev)) continue;
      if (traffic.some((t) => t.tag === tag))
        fail(`refusing to overwrite existing tag in service, add flag '--untag ${tag}'`);
      const untagged = traffic.find((t) => t.revisionName === rev && !t.tag);
      if (untagged) untagged.tag = tag;
      else traffic.push({ revisionName: rev, percent: 0, ...(tag === undefined ? {} : { tag }) });
    }
    if (flags.traffic) {
      const pairs = flags.traffic.flatMap((v) => v.split(',')).map((p) => p.split('='));
      const sum = pairs.reduce((total, [, percent]) => total + Number(percent), 0);
      if (sum !== 100) fail(`given traffic percents sum to ${sum}, want 100`);
      for (const t of traffic) t.percent = 0;
      for (const [ref = '', percent] of pairs) {
        const byTag = traffic.find((t) => t.tag === ref);
        const byName = traffic.find((t) => t.revisionName === ref);
        const target = byTag ?? byName;
        if (target) target.percent = Number(percent);
        else if (known(ref)) traffic.push({ revisionName: ref, percent: Number(percent) });
        else fail(`revision ${ref} does not exist`);
      }
    }
    state.traffic = traffic.filter((t) => t.tag || t.percent > 0);
    this.saved = structuredClone(state);
    if (created && this.isFailed(created)) {
      fail(`RevisionFailed: Revision "${created.name}" failed with message: image pull failed`);
    }
    return `Service '${SERVICE}' updated in namespace '${NAMESPACE}'.\n`;
  }
}
