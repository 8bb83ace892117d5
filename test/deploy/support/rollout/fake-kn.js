// Stand-in for the kn CLI in the rollout tests: records every call and keeps a tiny Knative Service in a JSON file.
//
// It is not Knative. It answers the few commands scripts/rollout and scripts/rollback use (service describe,
// revision list, service update) and applies --untag, --tag and --traffic in kn's documented order, so a test can
// check which commands a script decided to run and where the traffic ended up.
//
// Environment:
//   FAKE_KN_LOG            file that gets one JSON array (the argv) per call
//   FAKE_KN_STATE          file holding the service; created from the scenario on the first call
//   FAKE_KN_SCENARIO       starting point, one of the keys of `scenarios` below
//   FAKE_KN_CANDIDATE_URL  URL reported for the tag "candidate" (the test's HTTP server)
//   FAKE_KN_UNREADY        revision name whose Ready condition is False (kn update that creates it fails, as kn's wait does)
//   FAKE_KN_STARTING       NAME:N, revision NAME is Unknown (still starting) until `kn revision list` has answered N times
//   FAKE_KN_ROUTE_PENDING  when set, the service's Ready condition stays Unknown (its route is still being programmed)
//   FAKE_KN_FAIL_COMMAND   exact argv, joined by spaces, that fails as if the API server refused it
'use strict';
const fs = require('node:fs');

const NAMESPACE = 'usersvc-test';
const SERVICE = 'usersvc';

function revision(name, generation, ready = true) {
  return { name, generation, image: `ghcr.io/example/usersvc:${name.slice(SERVICE.length + 1)}`, ready };
}

/** Whether revision r is still starting: see FAKE_KN_STARTING; the state counts the `revision list` answers. */
function isStarting(r, state) {
  const [name, answers] = (process.env.FAKE_KN_STARTING ?? '').split(':');
  return r.name === name && (state.revisionLists ?? 0) <= Number(answers);
}
const isFailed = (r) => !r.ready || r.name === process.env.FAKE_KN_UNREADY;
const isReady = (r, state) => !isFailed(r) && !isStarting(r, state);
/** The revisions the traffic block names, and whether the route has been programmed (see scenario new-service). */
function route(state) {
  const named = state.traffic.map((t) => state.revisions.find((r) => r.name === t.revisionName));
  return { named, programmed: state.routed !== false || named.every((r) => r && isReady(r, state)) };
}

const scenarios = {
  // One revision serves everything, an older one idles; no tags.
  steady: () => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2)],
    traffic: [{ revisionName: 'usersvc-bbb2222', percent: 100 }],
  }),
  // As after a successful rollout: the revision before the current one is tagged previous.
  'steady-with-previous': () => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2), revision('usersvc-ccc3333', 3)],
    traffic: [
      { revisionName: 'usersvc-ccc3333', percent: 100 },
      { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'previous' },
    ],
  }),
  // No previous tag; the second-newest revision never became Ready.
  'no-previous-tag': () => ({
    revisions: [
      revision('usersvc-aaa1111', 1),
      revision('usersvc-bbb2222', 2),
      revision('usersvc-ccc3333', 3, false),
      revision('usersvc-ddd4444', 4),
    ],
    traffic: [{ revisionName: 'usersvc-ddd4444', percent: 100 }],
  }),
  // A rollout stopped half-way: the candidate has 50%.
  'interrupted-canary': () => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2), revision('usersvc-ccc3333', 3)],
    traffic: [
      { revisionName: 'usersvc-bbb2222', percent: 50 },
      { revisionName: 'usersvc-ccc3333', percent: 50, tag: 'candidate' },
      { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'previous' },
    ],
  }),
  // The deploy workflow applied the release manifest: the new revision sits at 0% behind the tag candidate.
  'manifest-applied': () => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2), revision('usersvc-new9999', 3)],
    traffic: [
      { revisionName: 'usersvc-bbb2222', percent: 100, tag: 'current' },
      { revisionName: 'usersvc-new9999', percent: 0, tag: 'candidate' },
    ],
  }),
  // An earlier rollout died after tagging its candidate (which never became Ready) and before any shift.
  'stale-candidate': () => ({
    revisions: [revision('usersvc-aaa1111', 1), revision('usersvc-bbb2222', 2), revision('usersvc-ccc3333', 3, false)],
    traffic: [
      { revisionName: 'usersvc-bbb2222', percent: 100 },
      { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'previous' },
      { revisionName: 'usersvc-ccc3333', percent: 0, tag: 'candidate' },
    ],
  }),
  // An earlier attempt created the candidate revision, then failed and rolled back.
  'failed-attempt': () => ({
    revisions: [revision('usersvc-bbb2222', 2), revision('usersvc-new9999', 3)],
    traffic: [{ revisionName: 'usersvc-bbb2222', percent: 100 }],
  }),
  // First deploy: the release manifest has just created the Service (its one revision gets 100% and the tag
  // candidate); the route has never been Ready, so status.traffic is empty until every revision in it is Ready.
  'new-service': () => ({
    revisions: [revision('usersvc-new9999', 1)],
    traffic: [
      { revisionName: 'usersvc-new9999', percent: 100, tag: 'current' },
      { revisionName: 'usersvc-new9999', percent: 0, tag: 'candidate' },
    ],
    routed: false,
  }),
  // A first deploy whose revision never became Ready: the Service exists and has still served nothing.
  'failed-first-deploy': () => ({
    revisions: [revision('usersvc-aaa1111', 1, false)],
    traffic: [
      { revisionName: 'usersvc-aaa1111', percent: 100, tag: 'current' },
      { revisionName: 'usersvc-aaa1111', percent: 0, tag: 'candidate' },
    ],
    routed: false,
  }),
};

function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

function loadState() {
  const file = process.env.FAKE_KN_STATE;
  if (!file) fail('FAKE_KN_STATE is not set');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const scenario = scenarios[process.env.FAKE_KN_SCENARIO ?? ''];
  if (!scenario) fail(`unknown FAKE_KN_SCENARIO ${process.env.FAKE_KN_SCENARIO}`);
  return scenario();
}

function saveState(state) {
  fs.writeFileSync(process.env.FAKE_KN_STATE, JSON.stringify(state, null, 2));
}

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
function parse(argv) {
  const words = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (valueFlags.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) fail(`flag needs an argument: ${flag}`);
      (flags[valueFlags.get(flag)] ??= []).push(value);
    } else if (flag === '--no-wait' || flag === '--wait') {
      flags[flag.slice(2)] = [true];
    } else if (flag.startsWith('-')) {
      fail(`unknown flag: ${flag}`);
    } else {
      words.push(argv[i]);
    }
  }
  return { words, flags };
}

function checkTarget(flags, name) {
  if (name !== SERVICE) fail(`services.serving.knative.dev "${name}" not found`);
  if ((flags.namespace?.[0] ?? 'default') !== NAMESPACE) {
    fail(`services.serving.knative.dev "${name}" not found in namespace ${flags.namespace?.[0] ?? 'default'}`);
  }
}

function tagUrl(tag) {
  if (tag === 'candidate' && process.env.FAKE_KN_CANDIDATE_URL) return process.env.FAKE_KN_CANDIDATE_URL;
  return `http://${tag}-${SERVICE}.${NAMESPACE}.example.test`;
}

function serviceJson(state) {
  const newest = [...state.revisions].sort((a, b) => b.generation - a.generation)[0];
  const newestReady = [...state.revisions]
    .filter((r) => isReady(r, state))
    .sort((a, b) => b.generation - a.generation)[0];
  // A route that has never been Ready (routed: false) reports no traffic until every revision it names is Ready,
  // as Knative does; the other scenarios start from a route that was programmed long ago.
  const { named, programmed } = route(state);
  const failed = named.some((r) => r && isFailed(r));
  const ready = programmed ? (process.env.FAKE_KN_ROUTE_PENDING ? 'Unknown' : 'True') : failed ? 'False' : 'Unknown';
  const target = (t) => ({
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
        ? { traffic: state.traffic.map((t) => ({ ...target(t), ...(t.tag ? { url: tagUrl(t.tag) } : {}) })) }
        : {}),
    },
  };
}

function revisionListJson(state) {
  const base = Date.parse('2025-01-01T00:00:00Z');
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
      status: {
        conditions: [
          isFailed(r)
            ? { type: 'Ready', status: 'False', reason: 'ContainerMissing', message: 'image pull failed' }
            : isStarting(r, state)
              ? { type: 'Ready', status: 'Unknown', reason: 'Deploying' }
              : { type: 'Ready', status: 'True' },
        ],
      },
    })),
  };
}

/** kn service update: new revision, then --untag, --tag, --traffic in kn's precedence, then drop empty targets. */
function update(state, flags) {
  const known = (name) => state.revisions.some((r) => r.name === name);
  if (route(state).programmed) delete state.routed; // once programmed, a route keeps its last good traffic
  let created;
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
  for (const tag of untags) delete traffic.find((t) => t.tag === tag).tag;
  for (const pair of (flags.tag ?? []).flatMap((v) => v.split(','))) {
    const [rev, tag] = pair.split('=');
    if (!known(rev)) fail(`revision ${rev} does not exist`);
    if (traffic.some((t) => t.tag === tag && t.revisionName === rev)) continue;
    if (traffic.some((t) => t.tag === tag))
      fail(`refusing to overwrite existing tag in service, add flag '--untag ${tag}'`);
    const untagged = traffic.find((t) => t.revisionName === rev && !t.tag);
    if (untagged) untagged.tag = tag;
    else traffic.push({ revisionName: rev, percent: 0, tag });
  }
  if (flags.traffic) {
    const pairs = flags.traffic.flatMap((v) => v.split(',')).map((p) => p.split('='));
    const sum = pairs.reduce((total, [, percent]) => total + Number(percent), 0);
    if (sum !== 100) fail(`given traffic percents sum to ${sum}, want 100`);
    for (const t of traffic) t.percent = 0;
    for (const [ref, percent] of pairs) {
      const byTag = traffic.find((t) => t.tag === ref);
      const byName = traffic.find((t) => t.revisionName === ref);
      if (byTag || byName) (byTag ?? byName).percent = Number(percent);
      else if (known(ref)) traffic.push({ revisionName: ref, percent: Number(percent) });
      else fail(`revision ${ref} does not exist`);
    }
  }
  state.traffic = traffic.filter((t) => t.tag || t.percent > 0);
  saveState(state);
  if (created && isFailed(created))
    fail(`RevisionFailed: Revision "${created.name}" failed with message: image pull failed`);
  process.stdout.write(`Service '${SERVICE}' updated in namespace '${NAMESPACE}'.\n`);
}

function main() {
  const argv = process.argv.slice(2);
  if (process.env.FAKE_KN_LOG) fs.appendFileSync(process.env.FAKE_KN_LOG, `${JSON.stringify(argv)}\n`);
  if (process.env.FAKE_KN_FAIL_COMMAND && argv.join(' ') === process.env.FAKE_KN_FAIL_COMMAND) {
    fail('the server rejected the request (simulated)');
  }
  const { words, flags } = parse(argv);
  const state = loadState();
  const [group, verb, name] = words;
  const command = `${group} ${verb}`;
  if (command === 'service describe') {
    checkTarget(flags, name);
    if (flags.output?.[0] !== 'json') fail('this stand-in only answers -o json');
    process.stdout.write(`${JSON.stringify(serviceJson(state), null, 2)}\n`);
  } else if (command === 'revision list') {
    checkTarget(flags, flags.service?.[0]);
    if (flags.output?.[0] !== 'json') fail('this stand-in only answers -o json');
    if (process.env.FAKE_KN_STARTING) {
      state.revisionLists = (state.revisionLists ?? 0) + 1;
      saveState(state);
    }
    process.stdout.write(`${JSON.stringify(revisionListJson(state), null, 2)}\n`);
  } else if (command === 'service update') {
    checkTarget(flags, name);
    update(state, flags);
  } else {
    fail(`this stand-in does not implement "kn ${argv.join(' ')}"`);
  }
}

main();
