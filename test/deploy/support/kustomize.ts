// The knative/ overlays rendered by the real `kubectl kustomize`, the command the deploy workflow runs, parsed into
// objects. kubectl is required: it is preinstalled on GitHub's Ubuntu runners, and without it the tests fail, not skip.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { isObject, type KubeObject } from './json';

export { isObject, type Json, type JsonObject, type KubeObject } from './json';

function asKubeObject(value: unknown, source: string): KubeObject {
  if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    throw new Error(`${source}: not a Kubernetes object (apiVersion and kind are required)`);
  }
  if (!isObject(value.metadata) || typeof value.metadata.name !== 'string') {
    throw new Error(`${source}: ${value.kind} has no metadata.name`);
  }
  return value as KubeObject;
}

/** Parses the output of `kubectl kustomize` (or any multi-document YAML) into objects. */
export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document, index) => {
      if (document.errors.length > 0) throw new Error(`document ${index}: ${document.errors[0]?.message}`);
      return document.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined)
    .map((value, index) => asKubeObject(value, `document ${index}`));
}

/** Renders a kustomization directory with `kubectl kustomize <dir>` and returns the objects it prints, in order. */
export function renderKustomization(dir: string): KubeObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') {
      throw new Error(
        'kubectl not found on PATH: the deploy tests render knative/ with `kubectl kustomize`, as the deploy ' +
          "workflow does. Install kubectl (GitHub's Ubuntu runners have it).",
        { cause: error },
      );
    }
    throw new Error(`kubectl kustomize ${dir} failed: ${(stderr || (error as Error).message).trim()}`, {
      cause: error,
    });
  }
  return parseManifests(output);
}
