// The two patch kinds the overlays use: strategic merge (maps only) and JSON 6902 (add, remove, replace, test).
import { isObject, type Json, type JsonObject, type KubeObject } from './json';

const clone = <T extends Json>(value: T): T => structuredClone(value);

/** Strategic merge, for maps only: our patches never touch lists, and a list here is refused, not guessed at. */
export function mergeMaps(into: JsonObject, patch: JsonObject, where: string): void {
  for (const [key, value] of Object.entries(patch)) {
    const at = `${where}.${key}`;
    if (value === null) {
      delete into[key];
    } else if (Array.isArray(value)) {
      throw new Error(`${at}: a list in a strategic-merge patch is not supported here; use a JSON 6902 patch`);
    } else if (isObject(value)) {
      const existing = into[key];
      if (existing !== undefined && !isObject(existing)) throw new Error(`${at}: patch merges a map into a scalar`);
      into[key] ??= {};
      mergeMaps(into[key] as JsonObject, value, at);
    } else {
      into[key] = value;
    }
  }
}

function pointerSegments(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer "${pointer}" must start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 add, remove, replace and test. */
export function applyJson6902(object: KubeObject, operations: unknown[], source: string): void {
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new Error(`${source}: each operation needs op and path`);
    }
    const { op, path: pointer } = raw;
    const segments = pointerSegments(pointer);
    const last = segments.pop() as string;
    let parent: Json = object;
    for (const segment of segments) {
      const next: Json | undefined = Array.isArray(parent)
        ? parent[Number(segment)]
        : isObject(parent)
          ? parent[segment]
          : undefined;
      if (next === undefined) throw new Error(`${source}: ${op} ${pointer}: "${segment}" does not exist`);
      parent = next;
    }
    const value = raw.value === undefined ? undefined : clone(raw.value);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) {
        throw new Error(`${source}: ${op} ${pointer}: bad index`);
      }
      if (op === 'add' && value !== undefined) parent.splice(index, 0, value);
      else if (op === 'replace' && value !== undefined && index < parent.length) parent[index] = value;
      else if (op === 'remove' && index < parent.length) parent.splice(index, 1);
      else if (op === 'test' && JSON.stringify(parent[index]) === JSON.stringify(value)) continue;
      else throw new Error(`${source}: ${op} ${pointer} cannot be applied`);
    } else if (isObject(parent)) {
      const exists = Object.prototype.hasOwnProperty.call(parent, last);
      if (op === 'add' && value !== undefined) parent[last] = value;
      else if (op === 'replace' && value !== undefined && exists) parent[last] = value;
      else if (op === 'remove' && exists) delete parent[last];
      else if (op === 'test' && JSON.stringify(parent[last]) === JSON.stringify(value)) continue;
      else throw new Error(`${source}: ${op} ${pointer} cannot be applied`);
    } else {
      throw new Error(`${source}: ${op} ${pointer}: parent is not a map or a list`);
    }
  }
}
