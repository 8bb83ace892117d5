// Typed reads into rendered Kubernetes objects, so a test fails with a clear message instead of a TypeError.
import { isObject, type Json, type JsonObject, type KubeObject } from './kustomize';

/** The value at a dotted path, or a thrown error naming the first missing step. */
export function at(object: Json | undefined, dotted: string): Json {
  let node: Json | undefined = object;
  for (const step of dotted.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(step)) node = node[Number(step)];
    else if (isObject(node)) node = node[step];
    else node = undefined;
    if (node === undefined) throw new Error(`no ${dotted} (stopped at "${step}")`);
  }
  return node as Json;
}

export function objectAt(object: Json | undefined, dotted: string): JsonObject {
  const value = at(object, dotted);
  if (!isObject(value)) throw new Error(`${dotted} is not a map`);
  return value;
}

export function listAt(object: Json | undefined, dotted: string): Json[] {
  const value = at(object, dotted);
  if (!Array.isArray(value)) throw new Error(`${dotted} is not a list`);
  return value;
}

/** The pod spec of a Knative Service or a Job (both keep it at spec.template.spec). */
export const podSpecOf = (object: KubeObject) => objectAt(object, 'spec.template.spec');

export function containersOf(object: KubeObject): JsonObject[] {
  return listAt(object, 'spec.template.spec.containers').map((container, index) => {
    if (!isObject(container)) throw new Error(`container ${index} of ${object.kind} is not a map`);
    return container;
  });
}

export function findObject(objects: KubeObject[], kind: string, apiVersion?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (apiVersion === undefined || o.apiVersion === apiVersion));
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as KubeObject;
}

/** String-valued map (annotations, labels, ConfigMap data) at a path; absent means empty. */
export function stringMap(object: Json | undefined, dotted: string): Record<string, string> {
  try {
    return Object.fromEntries(Object.entries(objectAt(object, dotted)).map(([key, value]) => [key, String(value)]));
  } catch {
    return {};
  }
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9 };

/** A Kubernetes memory quantity (128Mi, 1G, 500000) in bytes. */
export function bytes(quantity: Json): number {
  const match = /^([\d.]+)([A-Za-z]*)$/.exec(String(quantity));
  const [amount, unit] = [Number(match?.[1]), match?.[2] ?? ''];
  const factor = unit === '' ? 1 : (BINARY[unit] ?? DECIMAL[unit]);
  if (Number.isNaN(amount) || factor === undefined) throw new Error(`unreadable memory quantity ${String(quantity)}`);
  return amount * factor;
}

/** A Kubernetes CPU quantity (250m, 1, 0.5) in millicores. */
export function millicores(quantity: Json): number {
  const text = String(quantity);
  const amount = Number(text.endsWith('m') ? text.slice(0, -1) : text);
  if (Number.isNaN(amount) || text === '' || text === 'm') throw new Error(`unreadable CPU quantity ${text}`);
  return text.endsWith('m') ? amount : amount * 1000;
}
