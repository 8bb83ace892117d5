// What gets applied: each Knative overlay rendered by `kubectl kustomize`, substituted as the pipeline does,
// schema-checked and held to our invariants; plus what kustomize-config.yaml is for, the example Secret,
// docker-compose.yml and the docs' figures.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../support/service';
import { isObject, renderKustomization, type Json, type KubeObject } from './support/kustomize';
import {
  at,
  bytes,
  containersOf,
  findObject,
  listAt,
  millicores,
  objectAt,
  podSpecOf,
  stringMap,
} from './support/objects';
import { PLACEHOLDERS, substitutePlaceholders, type Release } from './support/release';
import { validateObject } from './support/schemas';

const KNATIVE = path.join(ROOT, 'knative');
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const SERVING = 'usersvc-0f1e2d3c4b5a69788796a5b4c3d2e1f0fedcba98';
const release: Release = { owner: 'acme', gitSha: SHA, servingRevision: SERVING };
const REVISIONS_DURING_A_ROLLOUT = 2; // current + candidate, both routable by tag, both holding pools
// queue-proxy keeps draining until 30 s pass without a new request, before the app container gets SIGTERM.
const QUEUE_PROXY_DRAIN_MS = 30_000;
/** A DNS-1123 label: what Kubernetes requires of these names (the schemas do not check it). */
const isDnsLabel = (name: Json) =>
  typeof name === 'string' && name.length <= 63 && /^[a-z0-9]$|^[a-z0-9][-a-z0-9]*[a-z0-9]$/.test(name);

/** Every UPPER_CASE word in shared/config.ts: the variables the service reads (a superset is fine here). */
const CONFIG_VARIABLES = new Set(
  readFileSync(path.join(ROOT, 'shared/config.ts'), 'utf8').match(/\b[A-Z][A-Z0-9_]+\b/g),
);
const KNATIVE_RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];

const environments = [
  { name: 'staging', minScale: { at_least: 1, at_most: 1 }, memory: { request: '128Mi', limit: '256Mi' } },
  { name: 'production', minScale: { at_least: 2, at_most: 100 }, memory: { request: '256Mi', limit: '512Mi' } },
  // Production behind a transaction-mode pooler: the same service and namespace, a budget of the pooler's.
  {
    name: 'production-pooled',
    namespace: 'usersvc-production',
    minScale: { at_least: 2, at_most: 100 },
    memory: { request: '256Mi', limit: '512Mi' },
  },
];

const render = (environment: string) => renderKustomization(path.join(KNATIVE, 'overlays', environment));
const serviceOf = (objects: KubeObject[]) => findObject(objects, 'Service', 'serving.knative.dev/v1');
const jobOf = (objects: KubeObject[]) => findObject(objects, 'Job', 'batch/v1');
const firstContainer = (object: KubeObject) => containersOf(object)[0] as Json;
const imagesOf = (objects: KubeObject[]) =>
  objects.filter((o) => o.kind === 'Job' || o.kind === 'Service').flatMap((o) => containersOf(o).map((c) => c.image));

/** ConfigMap names that a Service's or Job's containers refer to (envFrom and valueFrom). */
function configMapReferences(object: KubeObject): string[] {
  return containersOf(object).flatMap((container) => [
    ...((container.envFrom ?? []) as Json[]).map((source) => at(source, 'configMapRef.name')),
    ...((container.env ?? []) as Json[])
      .filter((variable) => isObject(variable) && isObject(variable.valueFrom) && variable.valueFrom.configMapKeyRef)
      .map((variable) => at(variable, 'valueFrom.configMapKeyRef.name')),
  ]) as string[];
}

function danglingConfigMapReferences(objects: KubeObject[]): string[] {
  const present = new Set(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name));
  return objects
    .filter((o) => o.kind === 'Service' || o.kind === 'Job')
    .flatMap((o) =>
      configMapReferences(o)
        .filter((name) => !present.has(name))
        .map((n) => `${o.kind} → ${n}`),
    );
}

const envEntry = (container: Json, name: string) =>
  listAt(container, 'env').find((variable) => isObject(variable) && variable.name === name);

/** The annotations the budget arithmetic reads, as numbers. */
function budgetOf(objects: KubeObject[]) {
  const service = serviceOf(objects);
  const metadata = stringMap(service, 'metadata.annotations');
  const template = stringMap(service, 'spec.template.metadata.annotations');
  const config = stringMap(findObject(objects, 'ConfigMap'), 'data');
  return {
    maxConnections: Number(metadata['usersvc.dev/db-max-connections']),
    reserved: Number(metadata['usersvc.dev/db-reserved-connections']),
    poolMax: Number(config.DB_POOL_MAX),
    minScale: Number(template['autoscaling.knative.dev/min-scale']),
    maxScale: Number(template['autoscaling.knative.dev/max-scale']),
    /** Behind a transaction-mode pooler: its server sessions (all PostgreSQL sees) and the clients it accepts. */
    pooled: config.DB_POOL_MODE === 'transaction',
    poolerServerConnections: Number(metadata['usersvc.dev/pooler-server-connections']),
    poolerMaxClientConnections: Number(metadata['usersvc.dev/pooler-max-client-connections']),
  };
}

/** The budget's inequalities as ARCHITECTURE.md states them, from the rendered figures. */
function budgetLines(b: ReturnType<typeof budgetOf>): string[] {
  const clients = b.poolMax * b.maxScale * REVISIONS_DURING_A_ROLLOUT;
  const room = `${b.maxConnections} − ${b.reserved} = ${b.maxConnections - b.reserved}`;
  if (!b.pooled) return [`${b.poolMax} × ${b.maxScale} × 2 = ${clients} ≤ ${room}`];
  return [
    `${b.poolerServerConnections} ≤ ${room}`,
    `${b.poolMax} × ${b.maxScale} × 2 = ${clients} ≤ ${b.poolerMaxClientConnections}`,
  ];
}

describe.each(environments)('knative/overlays/$name', (environment) => {
  const namespace = 'namespace' in environment ? environment.namespace : `usersvc-${environment.name}`;
  const rendered = render(environment.name);
  const applied = substitutePlaceholders(rendered, release);
  const service = serviceOf(applied);
  const job = jobOf(applied);
  const container = firstContainer(service);

  it('renders a Namespace, one generated ConfigMap, the Knative Service and the migration Job, and no Secret', () => {
    expect(applied.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'v1 Namespace',
      'v1 ConfigMap',
      'serving.knative.dev/v1 Service',
      'batch/v1 Job',
    ]);
    expect(findObject(applied, 'ConfigMap').metadata.name).toMatch(/^usersvc-config-[a-z0-9]{10}$/);
  });

  it('applies in two steps by label: Namespace, ConfigMap and Job first, then the Service alone', () => {
    const server = (o: KubeObject) => stringMap(o, 'metadata.labels')['app.kubernetes.io/component'] === 'server';
    expect(applied.filter((o) => !server(o)).map((o) => o.kind)).toEqual(['Namespace', 'ConfigMap', 'Job']);
    expect(applied.filter(server).map((o) => o.kind)).toEqual(['Service']);
  });

  it('passes the Kubernetes and Knative schemas, object by object, before and after substitution', () => {
    for (const object of [...rendered, ...applied]) {
      expect(() => validateObject(object)).not.toThrow();
    }
    for (const object of applied) {
      expect(isDnsLabel(object.metadata.name)).toBe(true);
    }
    expect(isDnsLabel(at(service, 'spec.template.metadata.name'))).toBe(true);
  });

  it(`puts every namespaced object in ${namespace}`, () => {
    expect(findObject(applied, 'Namespace').metadata.name).toBe(namespace);
    for (const object of applied.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace).toBe(namespace);
    }
  });

  it('names the revision usersvc-<git sha> and pins the images to that commit, leaving no placeholder', () => {
    expect(at(service, 'spec.template.metadata.name')).toBe(`usersvc-${SHA}`);
    expect(imagesOf(applied)).toEqual([`ghcr.io/acme/usersvc:${SHA}`, `ghcr.io/acme/usersvc:${SHA}`]);
    const text = JSON.stringify(applied);
    for (const placeholder of PLACEHOLDERS) expect(text).not.toContain(placeholder);
    for (const image of imagesOf(rendered)) expect(image).not.toMatch(/:latest$|^[^:@]+$/);
  });

  it('pins the images by digest when the pipeline substitutes one', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const pinned = substitutePlaceholders(rendered, { ...release, imageDigest: digest });
    expect(imagesOf(pinned)).toEqual([`ghcr.io/acme/usersvc@${digest}`, `ghcr.io/acme/usersvc@${digest}`]);
    for (const object of pinned) expect(() => validateObject(object)).not.toThrow();
  });

  it('keeps 100% on the serving revision and gives the new one 0% behind the candidate tag', () => {
    const traffic = listAt(service, 'spec.traffic');
    expect(traffic).toEqual([
      { revisionName: SERVING, latestRevision: false, percent: 100, tag: 'current' },
      { revisionName: `usersvc-${SHA}`, latestRevision: false, percent: 0, tag: 'candidate' },
    ]);
  });

  it('on a first deploy (nothing serving yet) sends 100% to the one revision there is', () => {
    const first = serviceOf(substitutePlaceholders(rendered, { ...release, servingRevision: `usersvc-${SHA}` }));
    const targets = listAt(first, 'spec.traffic');
    expect(new Set(targets.map((t) => at(t, 'revisionName')))).toEqual(new Set([`usersvc-${SHA}`]));
    expect(targets.reduce<number>((sum, t) => sum + Number(at(t, 'percent')), 0)).toBe(100);
    expect(() => validateObject(first)).not.toThrow();
  });

  it('probes /ready for readiness and /health for liveness, on the one container port 8080', () => {
    expect(containersOf(service)).toHaveLength(1);
    expect(listAt(container, 'ports')).toEqual([{ name: 'http1', containerPort: 8080 }]);
    expect(objectAt(container, 'readinessProbe.httpGet')).toEqual({ path: '/ready' });
    expect(objectAt(container, 'livenessProbe.httpGet')).toEqual({ path: '/health' });
  });

  it('runs the Service and the Job as uid 65532, read-only, without privilege escalation or capabilities', () => {
    for (const workload of [service, job]) {
      for (const each of containersOf(workload)) {
        expect(each.securityContext).toEqual({
          runAsNonRoot: true,
          runAsUser: 65532,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
      }
    }
  });

  it(`scales on concurrency from min-scale ${environment.minScale.at_least} within containerConcurrency`, () => {
    const annotations = stringMap(service, 'spec.template.metadata.annotations');
    const { minScale, maxScale } = budgetOf(applied);
    expect(minScale).toBeGreaterThanOrEqual(environment.minScale.at_least);
    expect(minScale).toBeLessThanOrEqual(environment.minScale.at_most);
    expect(maxScale).toBeGreaterThanOrEqual(minScale);
    expect(annotations['autoscaling.knative.dev/metric']).toBe('concurrency');
    const concurrency = Number(at(podSpecOf(service), 'containerConcurrency'));
    const target = Number(annotations['autoscaling.knative.dev/target']);
    expect(target).toBeGreaterThan(0);
    expect(target).toBeLessThan(concurrency);
  });

  it("leaves the grace period (timeoutSeconds) room for queue-proxy's 30 s drain and then our own", () => {
    const timeoutMs = Number(at(podSpecOf(service), 'timeoutSeconds')) * 1000;
    const ourDrainMs = Number(stringMap(findObject(applied, 'ConfigMap'), 'data').SHUTDOWN_TIMEOUT_MS);
    expect(ourDrainMs).toBeGreaterThan(0);
    expect(timeoutMs).toBeGreaterThanOrEqual(QUEUE_PROXY_DRAIN_MS + ourDrainMs + 5_000);
    expect(timeoutMs).toBeLessThanOrEqual(600_000);
  });

  it(`requests ${environment.memory.request} and limits ${environment.memory.limit}, with the heap below it`, () => {
    expect(at(container, 'resources.requests.memory')).toBe(environment.memory.request);
    expect(at(container, 'resources.limits.memory')).toBe(environment.memory.limit);
    const cpuRequest = millicores(at(container, 'resources.requests.cpu'));
    const cpuLimit = millicores(at(container, 'resources.limits.cpu'));
    expect(cpuRequest).toBeGreaterThanOrEqual(50);
    expect(cpuLimit).toBeGreaterThanOrEqual(cpuRequest);
    expect(cpuLimit).toBeLessThanOrEqual(2000);
    const heap = /--max-old-space-size=(\d+)/.exec(String(at(envEntry(container, 'NODE_OPTIONS'), 'value')));
    const heapBytes = Number(heap?.[1]) * 2 ** 20;
    expect(heapBytes).toBeGreaterThan(0);
    expect(heapBytes).toBeLessThanOrEqual(0.8 * bytes(at(container, 'resources.limits.memory')));
    // Node 24's default young generation alone took peak RSS to ~250 MB under load (see the Dockerfile).
    expect(String(at(envEntry(container, 'NODE_OPTIONS'), 'value'))).toMatch(/--max-semi-space-size=16\b/);
  });

  it('fits its connections within max_connections minus the reserve (pods × pool, or the pooler’s sessions)', () => {
    const budget = budgetOf(applied);
    expect(budget.reserved).toBeGreaterThanOrEqual(5);
    const clients = budget.poolMax * budget.maxScale * REVISIONS_DURING_A_ROLLOUT;
    if (!budget.pooled) {
      expect(clients).toBeLessThanOrEqual(budget.maxConnections - budget.reserved);
      return;
    }
    // Behind the pooler PostgreSQL sees only its server sessions; the pooler must accept every pod's pool.
    expect(budget.poolerServerConnections).toBeLessThanOrEqual(budget.maxConnections - budget.reserved);
    expect(clients).toBeLessThanOrEqual(budget.poolerMaxClientConnections);
    expect(clients).toBeGreaterThan(budget.maxConnections - budget.reserved); // the point of the pooler
  });

  it('migrates over a direct session even when the service goes through a pooler', () => {
    const config = stringMap(findObject(applied, 'ConfigMap'), 'data');
    const jobContainer = firstContainer(job);
    if (config.DB_POOL_MODE !== 'transaction') {
      expect(config.DB_POOL_MODE ?? 'session').toBe('session');
      return;
    }
    expect(at(envEntry(jobContainer, 'DB_POOL_MODE'), 'value')).toBe('session');
    const directHost = at(envEntry(jobContainer, 'POSTGRES_HOST'), 'value');
    expect(directHost).toBeTruthy();
    expect(directHost).not.toBe(config.POSTGRES_HOST);
  });

  it('reads its settings from the generated ConfigMap: known variables only, no PORT, no shutdown delay', () => {
    expect(danglingConfigMapReferences(applied)).toEqual([]);
    const config = stringMap(findObject(applied, 'ConfigMap'), 'data');
    for (const key of Object.keys(config)) expect(CONFIG_VARIABLES).toContain(key);
    for (const reserved of KNATIVE_RESERVED_ENV) expect(config).not.toHaveProperty(reserved);
    expect(config).toMatchObject({ SHUTDOWN_DELAY_MS: '0', POSTGRES_SSL_MODE: 'require' });
    expect(config.POSTGRES_HOST).toBeTruthy();
    for (const variable of listAt(container, 'env')) expect(KNATIVE_RESERVED_ENV).not.toContain(at(variable, 'name'));
  });

  it('reads POSTGRES_PASSWORD and API_KEY from the Secret by reference, with keys the example Secret defines', () => {
    const example = parse(readFileSync(path.join(KNATIVE, 'base/secret.example.yaml'), 'utf8')) as KubeObject;
    const exampleKeys = Object.keys(objectAt(example, 'stringData'));
    const expectSecretRef = (workload: Json, name: string) =>
      expect(at(envEntry(workload, name), 'valueFrom.secretKeyRef')).toEqual({ name: 'usersvc-secrets', key: name });
    expectSecretRef(container, 'POSTGRES_PASSWORD');
    expectSecretRef(container, 'API_KEY');
    expectSecretRef(firstContainer(job), 'POSTGRES_PASSWORD');
    for (const workload of [service, job]) {
      for (const each of containersOf(workload)) {
        for (const variable of listAt(each, 'env')) {
          const secretKey = isObject(variable) && isObject(variable.valueFrom) && variable.valueFrom.secretKeyRef;
          if (secretKey) expect(exampleKeys).toContain(at(secretKey, 'key'));
          if (/PASSWORD|API_KEY|SECRET|TOKEN/.test(String(at(variable, 'name')))) {
            expect(variable).not.toHaveProperty('value');
          }
        }
      }
    }
  });

  it('migrates with the same image and `dist/scripts/migrate.js up`, bounded retries, removed after a day', () => {
    const migrate = firstContainer(job);
    expect(at(migrate, 'image')).toBe(at(container, 'image'));
    expect(at(migrate, 'args')).toEqual(['dist/scripts/migrate.js', 'up']);
    expect(migrate).not.toHaveProperty('command');
    expect(job.metadata.name).toBe(`usersvc-migrate-${SHA}`);
    expect(Number(at(job, 'spec.backoffLimit'))).toBeGreaterThanOrEqual(1);
    expect(Number(at(job, 'spec.backoffLimit'))).toBeLessThanOrEqual(5);
    expect(Number(at(job, 'spec.ttlSecondsAfterFinished'))).toBeGreaterThan(0);
    expect(at(podSpecOf(job), 'restartPolicy')).toBe('Never');
  });

  it('asks Prometheus to scrape /metrics on port 8080', () => {
    expect(stringMap(service, 'spec.template.metadata.annotations')).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/path': '/metrics',
      'prometheus.io/port': '8080',
    });
  });
});

describe('schema validation', () => {
  const service = serviceOf(substitutePlaceholders(render('staging'), release));

  it('rejects a Knative Service whose containerConcurrency is a string', () => {
    const broken = structuredClone(service);
    objectAt(broken, 'spec.template.spec').containerConcurrency = '50';
    expect(() => validateObject(broken)).toThrow(/containerConcurrency must be integer/);
  });

  it('rejects a traffic target whose percent is a string, and a Job whose backoffLimit is', () => {
    const broken = structuredClone(service);
    objectAt(broken, 'spec.traffic.0').percent = '100';
    expect(() => validateObject(broken)).toThrow(/percent must be integer/);
    const job = structuredClone(jobOf(render('staging')));
    objectAt(job, 'spec').backoffLimit = 'two';
    expect(() => validateObject(job)).toThrow(/backoffLimit must be integer/);
  });

  it('refuses an object it has no schema for rather than passing it', () => {
    const unknown = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } } as KubeObject;
    expect(() => validateObject(unknown)).toThrow(/no schema for apps\/v1 Deployment/);
  });
});

describe('knative/base/kustomize-config.yaml', () => {
  let scratch: string;
  beforeEach(() => (scratch = mkdtempSync(path.join(os.tmpdir(), 'usersvc-knative-'))));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it("is what points the Service at the hashed ConfigMap: without it only the Job's reference follows the hash", () => {
    cpSync(KNATIVE, scratch, { recursive: true });
    const base = path.join(scratch, 'base/kustomization.yaml');
    const kustomization = readFileSync(base, 'utf8');
    const withoutConfigurations = kustomization.replace('configurations:\n  - kustomize-config.yaml\n', '');
    expect(withoutConfigurations).not.toBe(kustomization);
    writeFileSync(base, withoutConfigurations);
    expect(danglingConfigMapReferences(renderKustomization(path.join(scratch, 'overlays/staging')))).toEqual([
      'Service → usersvc-config',
    ]);
  });
});

describe('knative/base/secret.example.yaml', () => {
  const file = path.join(KNATIVE, 'base/secret.example.yaml');
  const example = parse(readFileSync(file, 'utf8')) as KubeObject;

  it('is a valid Secret holding placeholders only, and no kustomization applies it', () => {
    expect(() => validateObject(example)).not.toThrow();
    for (const value of Object.values(objectAt(example, 'stringData'))) expect(value).toMatch(/^REPLACE_/);
    const kustomizations = ['base', ...environments.map((e) => `overlays/${e.name}`)].map((dir) =>
      readFileSync(path.join(KNATIVE, dir, 'kustomization.yaml'), 'utf8'),
    );
    for (const text of kustomizations) expect(text).not.toMatch(/^\s*-\s*secret\.example\.yaml/m);
    for (const { name } of environments) expect(render(name).map((o) => o.kind)).not.toContain('Secret');
  });
});

interface ComposeService {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const { postgres, migrate, usersvc } = compose.services as Record<string, ComposeService>;

  it('runs PostgreSQL 15 or 16 with a pg_isready healthcheck', () => {
    expect(postgres?.image).toMatch(/^postgres:1[56]([.-]|$)/);
    expect(postgres?.healthcheck?.test.join(' ')).toMatch(/pg_isready/);
  });

  it('migrates once PostgreSQL is healthy, from the same image, with the Job’s command', () => {
    expect(migrate?.image).toBe(usersvc?.image);
    expect(migrate?.build).toBe(usersvc?.build);
    expect(migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    const jobArgs = at(firstContainer(jobOf(render('staging'))), 'args');
    expect(migrate?.command).toEqual(jobArgs);
  });

  it('starts usersvc after PostgreSQL is healthy and the migration completed, on 8080, with a node healthcheck', () => {
    expect(usersvc?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(usersvc?.ports).toContain('8080:8080');
    expect(usersvc?.healthcheck?.test.slice(0, 3)).toEqual(['CMD', '/nodejs/bin/node', '-e']);
    expect(usersvc?.healthcheck?.test.join(' ')).toMatch(/\/ready/);
    expect(usersvc?.healthcheck?.test.join(' ')).not.toMatch(/curl|wget|CMD-SHELL/);
  });

  it('trusts no X-Forwarded-For entry: no proxy stands in front of it', () => {
    expect(usersvc?.environment?.TRUSTED_PROXY_HOPS).toBe('0');
  });

  it('configures the service through POSTGRES_* and known variables, with a short shutdown delay', () => {
    for (const service of [migrate, usersvc]) {
      const env = service?.environment ?? {};
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['POSTGRES_HOST', 'POSTGRES_USER', 'POSTGRES_DB']));
      for (const key of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(key);
    }
    const env = usersvc?.environment ?? {};
    const delay = Number(env.SHUTDOWN_DELAY_MS);
    expect(delay).toBeLessThanOrEqual(2000);
    const grace = Number(/^(\d+)s$/.exec(usersvc?.stop_grace_period ?? '')?.[1]) * 1000;
    expect(grace).toBeGreaterThan(delay + Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000));
  });
});

describe('docs', () => {
  const doc = (name: string) => readFileSync(path.join(ROOT, 'docs', name), 'utf8');

  it.each(environments.map((e) => e.name))('state the %s connection budget the manifests hold', (name) => {
    for (const line of budgetLines(budgetOf(render(name)))) expect(doc('ARCHITECTURE.md')).toContain(line);
  });

  it('give a deploy command that substitutes every placeholder', () => {
    const runbook = doc('RUNBOOK.md');
    expect(runbook).toContain('s|ghcr.io/OWNER/|ghcr.io/${OWNER}/|g');
    expect(runbook).toContain('s|SERVING_REVISION|${SERVING}|g');
    expect(runbook).toContain('s|GIT_SHA|${SHA}|g');
  });
});
