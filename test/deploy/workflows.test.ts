// The GitHub Actions workflows, parsed: triggers, jobs and their order, and that what they name (npm scripts, files) exists.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { FakeKn } from './support/rollout/fake-kn';
import { serveFakeKn, SOCKET_ENV } from './support/rollout/fake-kn-server';
import type { Scenario } from './support/rollout/scenarios';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOWS = path.join(ROOT, '.github/workflows');

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  services?: Record<string, { image: string; env?: Record<string, string>; options?: string; ports?: string[] }>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[] } | null>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const files = fs.readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));
const workflows = new Map(
  files.map((file) => [file, YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8')) as Workflow]),
);
const workflow = (file: string): Workflow => {
  const parsed = workflows.get(file);
  if (!parsed) throw new Error(`.github/workflows/${file} is missing`);
  return parsed;
};
const packageScripts = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : [job.needs].flat());
const runs = (job: Job): string => job.steps.map((step) => step.run ?? '').join('\n');
const uses = (job: Job, action: string): Step | undefined => job.steps.find((s) => s.uses?.split('@')[0] === action);
const environmentOf = (job: Job) => (typeof job.environment === 'object' ? job.environment.name : job.environment);

/** Every string anywhere in a value (run scripts, with: inputs, env values...). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}
/** Every run script of every workflow, with where it is, for messages. */
const allRuns = [...workflows].flatMap(([file, wf]) =>
  Object.entries(wf.jobs).flatMap(([jobId, job]) =>
    job.steps.filter((step) => step.run).map((step) => ({ where: `${file} ${jobId}`, run: step.run as string })),
  ),
);

describe('ci workflow', () => {
  const ci = workflow('ci.yml');
  const jobs = Object.values(ci.jobs);
  const jobRunning = (pattern: RegExp) => jobs.find((job) => pattern.test(runs(job)));

  it('runs on every push and every pull request, on any branch', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push?.branches).toBeUndefined();
    expect(ci.on.pull_request?.branches).toBeUndefined();
  });

  it('has lint + format, typecheck, audit, CodeQL, tests and docker build jobs, none waiting for another', () => {
    const lint = jobRunning(/npm run lint\b/);
    expect(lint && runs(lint)).toContain('npm run format:check');
    expect(jobRunning(/npm run typecheck\b/)).toBeDefined();
    expect(jobRunning(/npm audit --audit-level=high/)).toBeDefined();

    const codeql = jobs.find((job) => uses(job, 'github/codeql-action/init'));
    expect(codeql && uses(codeql, 'github/codeql-action/init')?.with?.languages).toBe('javascript-typescript');
    expect(codeql && uses(codeql, 'github/codeql-action/analyze')).toBeDefined();
    expect(codeql?.permissions?.['security-events']).toBe('write');

    const docker = jobs.find((job) => uses(job, 'docker/build-push-action'));
    expect(docker && uses(docker, 'docker/build-push-action')?.with?.push).toBe(false);

    // Parallel: no job in ci waits for another.
    expect(Object.entries(ci.jobs).filter(([, job]) => needsOf(job).length > 0)).toEqual([]);
    expect(jobs.length).toBeGreaterThanOrEqual(6);
  });

  it('runs npm test, the e2e and the reliability suites against a healthy-checked postgres:15 service', () => {
    const test = jobRunning(/npm test\b/);
    expect(test && runs(test)).toContain('npm run test:reliability');
    expect(test && runs(test)).toContain('npm run test:e2e');
    const postgres = Object.values(test?.services ?? {}).find((service) => service.image === 'postgres:15');
    expect(postgres?.options).toMatch(/--health-cmd\s+"?pg_isready/);
    expect(postgres?.ports).toContain('5432:5432');
    expect(test?.env?.DATABASE_URL).toMatch(/^postgres:\/\/postgres:[^@]*@localhost:5432\/\w+$/);
  });

  it('sets up Node 24 with the npm cache before the first npm command of every job', () => {
    for (const [id, job] of Object.entries(ci.jobs)) {
      const firstNpm = job.steps.findIndex((step) => /\bnpm\b/.test(step.run ?? ''));
      if (firstNpm < 0) continue;
      const setup = job.steps.findIndex((step) => step.uses?.startsWith('actions/setup-node@'));
      expect({ id, setupBeforeNpm: setup >= 0 && setup < firstNpm }).toEqual({ id, setupBeforeNpm: true });
      expect({ id, ...job.steps[setup]?.with }).toMatchObject({ id, 'node-version': 24, cache: 'npm' });
    }
  });
});

describe('deploy workflow', () => {
  const deploy = workflow('deploy.yml');
  const jobs = Object.entries(deploy.jobs);
  const inEnvironment = (name: string) => {
    const found = jobs.find(([, job]) => environmentOf(job) === name);
    if (!found) throw new Error(`no deploy job with environment: ${name}`);
    return found;
  };
  const [buildId, build] = jobs.find(([, job]) => uses(job, 'docker/build-push-action')) ?? [];

  it('runs on pushes to main and nothing else', () => {
    expect(deploy.on).toEqual({ push: { branches: ['main'] } });
  });

  it('builds and pushes the image to GHCR, tagged with the commit SHA, with the job token', () => {
    expect(build?.permissions?.packages).toBe('write');
    const login = build && uses(build, 'docker/login-action');
    expect(login?.with).toMatchObject({ registry: 'ghcr.io', password: '${{ secrets.GITHUB_TOKEN }}' });
    const push = build && uses(build, 'docker/build-push-action');
    expect(push?.with?.push).toBe(true);
    // The tag is a step output; follow it to the line that writes it.
    const [, stepId, output] = /steps\.([\w-]+)\.outputs\.([\w-]+)/.exec(String(push?.with?.tags)) ?? [];
    const writer = build?.steps.find((step) => step.id === stepId)?.run ?? '';
    expect(writer).toMatch(new RegExp(`${output}=ghcr\\.io/\\$\\w+/usersvc:\\$GITHUB_SHA`));
  });

  it.each(['staging', 'production'])(
    '%s: GKE auth, kn, render, migrate and wait, apply, scripts/rollout, then scripts/rollback on failure, in order',
    (environment) => {
      const [, job] = inEnvironment(environment);
      expect(needsOf(job)).toContain(buildId);
      expect(job.permissions?.['id-token']).toBe('write');
      expect(job.env?.OVERLAY).toBe(`knative/overlays/${environment}`);
      expect(job.env?.REVISION).toBe('usersvc-${{ github.sha }}');
      const at = (test: (step: Step) => boolean, what: string) => {
        const index = job.steps.findIndex(test);
        if (index < 0) throw new Error(`${environment}: no step that ${what}`);
        return index;
      };
      const order = [
        at(
          (s) => Boolean(s.uses?.startsWith('google-github-actions/auth@') && s.with?.workload_identity_provider),
          'authenticates with workload identity',
        ),
        at((s) => Boolean(s.uses?.startsWith('google-github-actions/get-gke-credentials@')), 'gets GKE credentials'),
        at(
          (s) => /releases\/download\/\$KN_VERSION\b[\s\S]*kn-linux-amd64[\s\S]*sha256sum -c/.test(s.run ?? ''),
          'installs a checked kn',
        ),
        at((s) => /kubectl kustomize "\$OVERLAY"/.test(s.run ?? ''), 'renders the overlay'),
        at(
          (s) => /kubectl wait --for=condition=complete "job\/usersvc-migrate-\$GITHUB_SHA"/.test(s.run ?? ''),
          'waits for the migration Job',
        ),
        at((s) => /kubectl apply -f "\$RELEASE\/service\.yaml"/.test(s.run ?? ''), 'applies the Service'),
        at((s) => /^scripts\/rollout /.test(s.run ?? ''), 'runs scripts/rollout'),
        at((s) => /^scripts\/rollback /.test(s.run ?? '') && /failure\(\)/.test(s.if ?? ''), 'rolls back on failure'),
      ];
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(deploy.env?.KN_VERSION).toMatch(/^knative-v\d+\.\d+\.\d+$/);
    },
  );

  it('production needs staging and runs exactly the steps staging runs', () => {
    const [stagingId, staging] = inEnvironment('staging');
    const [, production] = inEnvironment('production');
    expect(needsOf(production)).toContain(stagingId);
    expect(production.steps).toEqual(staging.steps);
  });

  it('first deploy: the serving step picks the new revision when there is no Service or it never served, and scripts/rollout gates it', async () => {
    const [, job] = inEnvironment('staging'); // production runs the same steps (checked above)
    const serving = job.steps.find((step) => step.id === 'serving');
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'serving-'));
    // kubectl finds the Service unless STUB_NO_KSVC is set; kn is the rollout tests' stand-in with its scenarios.
    fs.writeFileSync(
      path.join(temp, 'kubectl'),
      '#!/bin/sh\n[ -n "$STUB_NO_KSVC" ] || echo service.serving.knative.dev/usersvc\n',
      { mode: 0o755 },
    );
    const knBin = path.join(ROOT, 'test/deploy/support/rollout/bin');
    const decide = async (scenario: Scenario | null) => {
      const output = path.join(temp, `output-${scenario}`);
      const socket = path.join(temp, `kn-${scenario}.sock`);
      // The stand-in answers from this process, so the step runs asynchronously (spawnSync would block it). With no
      // Service there is no stand-in either: a kn call fails.
      const kn = scenario ? await serveFakeKn(new FakeKn(scenario), socket) : undefined;
      try {
        const child = spawn('bash', ['-e', '-c', serving?.run ?? 'exit 1'], {
          env: {
            ...process.env,
            PATH: [temp, knBin, process.env.PATH].join(path.delimiter),
            SERVICE: 'usersvc',
            NAMESPACE: 'usersvc-test',
            REVISION: 'usersvc-new9999',
            GITHUB_OUTPUT: output,
            [SOCKET_ENV]: socket,
            ...(scenario ? {} : { STUB_NO_KSVC: '1' }),
          },
          stdio: 'ignore',
        });
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        return { code, output: fs.existsSync(output) ? fs.readFileSync(output, 'utf8') : '' };
      } finally {
        await kn?.close();
      }
    };
    try {
      const first = { code: 0, output: 'revision=usersvc-new9999\n' };
      expect(await decide(null)).toEqual(first); // no Service yet
      expect(await decide('failed-first-deploy')).toEqual(first); // a Service that has never served
      expect(await decide('steady')).toEqual({ code: 0, output: 'revision=usersvc-bbb2222\n' });
      expect(await decide('interrupted-canary')).toEqual({ code: 1, output: '' });
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
    // The first deploy's smoke test is the gate of scripts/rollout, which runs on every deploy; no step of its own.
    expect(job.steps.find((step) => /^scripts\/rollout /.test(step.run ?? ''))?.if).toBeUndefined();
    expect(job.steps.filter((step) => /scripts\/smoke\.sh/.test(step.run ?? ''))).toEqual([]);
  });

  it.each(['staging', 'production'])("%s: the job's NAMESPACE is the namespace its overlay sets", (environment) => {
    const [, job] = inEnvironment(environment);
    const overlay = path.join(ROOT, `knative/overlays/${environment}/kustomization.yaml`);
    const kustomization = YAML.parse(fs.readFileSync(overlay, 'utf8')) as { namespace?: string };
    expect(job.env?.NAMESPACE).toBe(kustomization.namespace);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
  (kubectl
    ? it.each(['staging', 'production'])
    : it.skip.each(['staging (needs kubectl)', 'production (needs kubectl)']))(
    '%s: the render step fills every placeholder and puts the Knative Service apart from the migration Job',
    (environment) => {
      const [, job] = inEnvironment(environment);
      const render = job.steps.find((step) => step.id === 'render');
      const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
      const sha = '0123456789abcdef0123456789abcdef01234567';
      try {
        execFileSync('bash', ['-euo', 'pipefail', '-c', render?.run ?? 'exit 1'], {
          cwd: ROOT,
          env: {
            ...process.env,
            OVERLAY: job.env?.OVERLAY,
            IMAGE_OWNER: 'example-owner',
            SERVING_REVISION: 'usersvc-serving0',
            GITHUB_SHA: sha,
            RUNNER_TEMP: temp,
            GITHUB_OUTPUT: path.join(temp, 'output'),
          },
          stdio: 'pipe',
        });
        const release = path.join(temp, 'release');
        expect(fs.readFileSync(path.join(temp, 'output'), 'utf8')).toBe(`dir=${release}\n`);
        const docs = (file: string) =>
          YAML.parseAllDocuments(fs.readFileSync(path.join(release, file), 'utf8'))
            .map((doc) => doc.toJS() as { apiVersion: string; kind: string; metadata: Record<string, string> } | null)
            .filter((doc) => doc !== null);
        const services = docs('service.yaml');
        const rest = docs('prerequisites.yaml');
        expect(services.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['serving.knative.dev/v1 Service']);
        expect(rest.some((d) => d.apiVersion === 'serving.knative.dev/v1')).toBe(false);
        expect(rest.map((d) => d.kind)).toEqual(expect.arrayContaining(['Namespace', 'ConfigMap', 'Job']));
        // The names the later steps rely on: the Job the migrate step waits for, the revision scripts/rollout moves.
        const service = YAML.parse(fs.readFileSync(path.join(release, 'service.yaml'), 'utf8')) as {
          metadata: { name: string; namespace: string };
          spec: {
            template: { metadata: { name: string }; spec: { containers: { image: string }[] } };
            traffic: { revisionName: string; percent: number; tag?: string }[];
          };
        };
        expect(service.metadata).toMatchObject({ name: job.env?.SERVICE, namespace: job.env?.NAMESPACE });
        expect(service.spec.template.metadata.name).toBe(`usersvc-${sha}`);
        expect(service.spec.template.spec.containers[0]?.image).toBe(`ghcr.io/example-owner/usersvc:${sha}`);
        expect(service.spec.traffic).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ revisionName: 'usersvc-serving0', percent: 100 }),
            expect.objectContaining({ revisionName: `usersvc-${sha}`, percent: 0, tag: 'candidate' }),
          ]),
        );
        const migration = rest.find((d) => d.kind === 'Job');
        expect(migration?.metadata).toMatchObject({ name: `usersvc-migrate-${sha}`, namespace: job.env?.NAMESPACE });
      } finally {
        fs.rmSync(temp, { recursive: true, force: true });
      }
    },
  );
});

/** Whether a shell line up to here ends where a command word starts (so the next word is executed itself). */
function isCommandStart(before: string): boolean {
  const segment = before.split(/;|&&|\|\||\||\$\(|\(|!|\bthen\b|\bdo\b|\belse\b/).pop() ?? '';
  // Only VAR=value assignments may stand before the command word.
  return segment.split(/\s+/).every((word) => word === '' || /^\w+=/.test(word));
}

describe('every workflow', () => {
  it('pins every action to a major version or a commit', () => {
    const actions = [...workflows.values()].flatMap((wf) =>
      Object.values(wf.jobs).flatMap((job) => job.steps.flatMap((step) => (step.uses ? [step.uses] : []))),
    );
    expect(actions.length).toBeGreaterThan(0);
    const unpinned = actions.filter((action) => {
      const ref = action.split('@')[1] ?? '';
      return !/^v\d[\d.]*$/.test(ref) && !/^[0-9a-f]{40}$/.test(ref);
    });
    expect(unpinned).toEqual([]);
  });

  it('runs only npm scripts that package.json defines', () => {
    const named = allRuns.flatMap(({ where, run }) =>
      [...run.matchAll(/\bnpm (?:run(?:-script)? ([\w:.-]+)|(test|start)\b)/g)].map((m) => ({
        where,
        script: m[1] ?? m[2],
      })),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter(({ script }) => !(script && script in packageScripts))).toEqual([]);
  });

  it('names only scripts/ files that exist, and those it runs directly are executable', () => {
    const named = allRuns.flatMap(({ where, run }) =>
      run.split('\n').flatMap((line) =>
        [...line.matchAll(/(^|[\s"'=(|;&])(?:\.\/)?(scripts\/[\w./-]+)/g)].map((m) => ({
          where,
          file: m[2] as string,
          direct: isCommandStart(line.slice(0, m.index + (m[1] ?? '').length)),
        })),
      ),
    );
    expect(named.filter((n) => n.direct).map((n) => n.file)).toEqual(
      expect.arrayContaining(['scripts/rollout', 'scripts/rollback']),
    );
    const missing = named.filter(({ file }) => !fs.existsSync(path.join(ROOT, file)));
    expect(missing).toEqual([]);
    const notExecutable = named.filter(
      ({ file, direct }) => direct && (fs.statSync(path.join(ROOT, file)).mode & 0o111) === 0,
    );
    expect(notExecutable).toEqual([]);
  });

  it('names only knative/ paths that exist', () => {
    const named = [...workflows].flatMap(([file, wf]) =>
      strings(wf).flatMap((text) =>
        [...text.matchAll(/(?<![\w./-])knative\/[\w./-]*\w/g)].map((m) => ({ file, path: m[0] })),
      ),
    );
    expect(named.map((n) => n.path)).toEqual(
      expect.arrayContaining(['knative/overlays/staging', 'knative/overlays/production']),
    );
    expect(named.filter((n) => !fs.existsSync(path.join(ROOT, n.path)))).toEqual([]);
  });

  it('passes scripts/rollout and scripts/rollback only flags their --help documents', () => {
    for (const script of ['scripts/rollout', 'scripts/rollback']) {
      const help = execFileSync(path.join(ROOT, script), ['--help'], { encoding: 'utf8' });
      const passed = allRuns.flatMap(({ run }) =>
        run
          .split('\n')
          .filter((line) => line.trimStart().startsWith(script))
          .flatMap((line) => line.match(/\s--[\w-]+/g) ?? []),
      );
      expect({ script, passed: passed.length > 0 }).toEqual({ script, passed: true });
      expect(passed.map((flag) => flag.trim()).filter((flag) => !help.includes(flag))).toEqual([]);
    }
  });
});
