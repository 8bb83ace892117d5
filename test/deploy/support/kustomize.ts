// The subset of kustomize that knative/ uses, in TypeScript, so the overlays render without a kustomize binary.
// Anything outside the subset throws rather than being skipped: a silently ignored field would render a lie.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { isObject, type Json, type JsonObject, type KubeObject } from './json';
import { applyJson6902, mergeMaps } from './patches';

export { isObject, type Json, type JsonObject, type KubeObject } from './json';

interface FieldSpec {
  kind: string;
  group?: string;
  path: string;
}

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
}

/** A resource as the renderer tracks it: generated ConfigMaps get their hash suffix only at the very end. */
interface Tracked {
  object: KubeObject;
  generated: boolean;
}

const SUPPORTED_KEYS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'configMapGenerator',
  'patches',
  'configurations',
]);

// Where kustomize itself (with no `configurations`) looks for ConfigMap names: pod templates of the core workloads.
// A Knative Service is not among them; that is why knative/base declares its own paths.
const POD_TEMPLATE_KINDS: Array<[string, string]> = [
  ['apps', 'Deployment'],
  ['apps', 'ReplicaSet'],
  ['apps', 'DaemonSet'],
  ['apps', 'StatefulSet'],
  ['batch', 'Job'],
];
const BUILTIN_CONFIGMAP_REFERENCES: FieldSpec[] = POD_TEMPLATE_KINDS.flatMap(([group, kind]) =>
  ['containers', 'initContainers'].flatMap((list) => [
    { group, kind, path: `spec/template/spec/${list}/envFrom/configMapRef/name` },
    { group, kind, path: `spec/template/spec/${list}/env/valueFrom/configMapKeyRef/name` },
    { group, kind, path: 'spec/template/spec/volumes/configMap/name' },
  ]),
);

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);
// kustomize's default ("legacy") output order puts these first, in this order; the rest keep their order.
const ORDER_FIRST = ['Namespace', 'ConfigMap', 'Secret', 'Service'];

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

function asKubeObject(value: unknown, source: string): KubeObject {
  if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    throw new Error(`${source}: not a Kubernetes object (apiVersion and kind are required)`);
  }
  if (!isObject(value.metadata) || typeof value.metadata.name !== 'string') {
    throw new Error(`${source}: ${value.kind} has no metadata.name`);
  }
  return value as KubeObject;
}

function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
      return document.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}

const matches = (object: KubeObject, target: Target) =>
  (target.kind === undefined || object.kind === target.kind) &&
  (target.name === undefined || object.metadata.name === target.name) &&
  (target.group === undefined || groupOf(object.apiVersion) === target.group) &&
  (target.version === undefined || object.apiVersion.split('/').pop() === target.version);

/** kustomize's name suffix: sha256 of {data, kind, name: ""} as Go marshals it, 10 characters, vowels swapped out. */
export function configMapHash(data: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const encoded = JSON.stringify({ data: sorted, kind: 'ConfigMap', name: '' });
  const hex = createHash('sha256').update(encoded).digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, (c) => ({ '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' })[c] as string);
}

function literalsOf(generator: JsonObject, source: string): Record<string, string> {
  const literals = generator.literals ?? [];
  if (!Array.isArray(literals)) throw new Error(`${source}: literals must be a list`);
  const data: Record<string, string> = {};
  for (const literal of literals) {
    const text = String(literal);
    const equals = text.indexOf('=');
    if (equals <= 0) throw new Error(`${source}: literal "${text}" is not KEY=VALUE`);
    data[text.slice(0, equals)] = text.slice(equals + 1);
  }
  return data;
}

function generateConfigMaps(generators: Json, resources: Tracked[], source: string): void {
  if (!Array.isArray(generators)) throw new Error(`${source}: configMapGenerator must be a list`);
  for (const generator of generators) {
    if (!isObject(generator) || typeof generator.name !== 'string') throw new Error(`${source}: generator needs name`);
    const unsupported = Object.keys(generator).filter((key) => !['name', 'literals', 'behavior'].includes(key));
    if (unsupported.length > 0)
      throw new Error(`${source}: configMapGenerator ${unsupported.join(', ')} not supported`);
    const behavior = generator.behavior ?? 'create';
    const data = literalsOf(generator, source);
    const existing = resources.find((r) => r.generated && r.object.metadata.name === generator.name);
    if (behavior === 'create') {
      if (existing) throw new Error(`${source}: ConfigMap ${generator.name} is generated twice`);
      resources.push({
        generated: true,
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data },
      });
    } else if (behavior === 'merge' || behavior === 'replace') {
      if (!existing) throw new Error(`${source}: no generated ConfigMap ${generator.name} to ${behavior}`);
      existing.object.data = behavior === 'merge' ? { ...(existing.object.data as JsonObject), ...data } : data;
    } else {
      throw new Error(`${source}: unknown behavior ${String(behavior)}`);
    }
  }
}

function readConfigurations(files: Json, dir: string): FieldSpec[] {
  if (!Array.isArray(files)) throw new Error(`${dir}: configurations must be a list`);
  const specs: FieldSpec[] = [];
  for (const file of files) {
    const config = parse(readFileSync(path.join(dir, String(file)), 'utf8')) as unknown;
    if (!isObject(config) || Object.keys(config).some((key) => key !== 'nameReference')) {
      throw new Error(`${file}: only nameReference is supported in configurations`);
    }
    for (const reference of (config.nameReference ?? []) as Json[]) {
      if (!isObject(reference) || reference.kind !== 'ConfigMap') {
        throw new Error(`${file}: only ConfigMap name references are supported`);
      }
      for (const spec of (reference.fieldSpecs ?? []) as Json[]) {
        if (!isObject(spec) || typeof spec.kind !== 'string' || typeof spec.path !== 'string') {
          throw new Error(`${file}: fieldSpec needs kind and path`);
        }
        specs.push({ kind: spec.kind, group: typeof spec.group === 'string' ? spec.group : '', path: spec.path });
      }
    }
  }
  return specs;
}

function applyPatches(patches: Json, resources: Tracked[], dir: string): void {
  if (!Array.isArray(patches)) throw new Error(`${dir}: patches must be a list`);
  for (const entry of patches) {
    if (!isObject(entry) || typeof entry.path !== 'string') throw new Error(`${dir}: each patch needs a path`);
    const source = path.join(dir, entry.path);
    const patch = parse(readFileSync(source, 'utf8')) as unknown;
    const target: Target | undefined = isObject(entry.target) ? (entry.target as Target) : undefined;
    if (Array.isArray(patch)) {
      if (!target) throw new Error(`${source}: a JSON 6902 patch needs a target`);
      const hits = resources.filter((r) => matches(r.object, target));
      if (hits.length === 0) throw new Error(`${source}: target matches nothing`);
      for (const hit of hits) applyJson6902(hit.object, patch, source);
    } else {
      const body = asKubeObject(patch, source);
      const selector = target ?? { group: groupOf(body.apiVersion), kind: body.kind, name: body.metadata.name };
      const hits = resources.filter((r) => matches(r.object, selector));
      if (hits.length === 0) throw new Error(`${source}: patch matches nothing`);
      const { apiVersion: _apiVersion, kind: _kind, ...rest } = body;
      for (const hit of hits) mergeMaps(hit.object, rest, `${source}:`);
    }
  }
}

interface Level {
  resources: Tracked[];
  references: FieldSpec[];
}

function renderLevel(dir: string): Level {
  const file = path.join(dir, 'kustomization.yaml');
  const kustomization = parse(readFileSync(file, 'utf8')) as unknown;
  if (!isObject(kustomization)) throw new Error(`${file}: not a map`);
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED_KEYS.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: ${unsupported.join(', ')} not supported by this renderer`);

  const level: Level = { resources: [], references: [] };
  for (const entry of (kustomization.resources ?? []) as Json[]) {
    const target = path.join(dir, String(entry));
    if (statSync(target).isDirectory()) {
      const base = renderLevel(target);
      level.resources.push(...base.resources);
      level.references.push(...base.references);
    } else {
      for (const document of readYamlDocuments(target)) {
        level.resources.push({ generated: false, object: asKubeObject(document, target) });
      }
    }
  }
  if (kustomization.configurations) level.references.push(...readConfigurations(kustomization.configurations, dir));
  if (kustomization.configMapGenerator) generateConfigMaps(kustomization.configMapGenerator, level.resources, file);
  if (kustomization.patches) applyPatches(kustomization.patches, level.resources, dir);
  if (typeof kustomization.namespace === 'string') {
    for (const { object } of level.resources) {
      if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    }
  }
  return level;
}

/** Calls `rename` on every string at `fieldPath` (lists are walked element by element), replacing it by the result. */
function visitPath(node: Json | undefined, segments: string[], rename: (name: string) => string): void {
  if (node === undefined || node === null) return;
  if (Array.isArray(node)) {
    for (const element of node) visitPath(element, segments, rename);
    return;
  }
  if (!isObject(node) || segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  if (rest.length === 0) {
    const value = node[head];
    if (typeof value === 'string') node[head] = rename(value);
    return;
  }
  visitPath(node[head], rest, rename);
}

/** Renders a kustomization directory to the objects `kubectl kustomize` would print for it. */
export function renderKustomization(dir: string): KubeObject[] {
  const { resources, references } = renderLevel(dir);
  const renamed = new Map<string, string>();
  for (const { object, generated } of resources) {
    if (!generated) continue;
    const name = `${object.metadata.name}-${configMapHash(object.data as Record<string, string>)}`;
    renamed.set(object.metadata.name, name);
    object.metadata.name = name;
  }
  const specs = [...BUILTIN_CONFIGMAP_REFERENCES, ...references];
  for (const { object } of resources) {
    for (const spec of specs) {
      if (spec.kind !== object.kind || (spec.group ?? '') !== groupOf(object.apiVersion)) continue;
      visitPath(object, spec.path.split('/'), (name) => renamed.get(name) ?? name);
    }
  }
  const rank = (object: KubeObject) => {
    const index = ORDER_FIRST.indexOf(object.kind);
    return index === -1 ? ORDER_FIRST.length : index;
  };
  return resources
    .map((tracked, index) => ({ object: tracked.object, index }))
    .sort((a, b) => rank(a.object) - rank(b.object) || a.index - b.index)
    .map(({ object }) => object);
}

/** Parses the output of `kubectl kustomize` (or any multi-document YAML) into objects. */
export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as unknown)
    .filter((value) => value !== null && value !== undefined)
    .map((value, index) => asKubeObject(value, `document ${index}`));
}
