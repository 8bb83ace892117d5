// Offline schema validation of rendered objects: Kubernetes' OpenAPI schemas and Knative Serving's CRD schema.
import { Service as KnativeService, type IService } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, Secret, type IConfigMap, type INamespace, type ISecret } from 'kubernetes-models/v1';
import type { KubeObject } from './kustomize';

// Each model's constructor wants its own interface; the object's apiVersion and kind pick the model, so the casts
// only restate what the lookup key already established.
const MODELS: Record<string, (object: KubeObject) => { validate(): void }> = {
  'v1/Namespace': (o) => new Namespace(o as unknown as INamespace),
  'v1/ConfigMap': (o) => new ConfigMap(o as unknown as IConfigMap),
  'v1/Secret': (o) => new Secret(o as unknown as ISecret),
  'batch/v1/Job': (o) => new Job(o as unknown as IJob),
  'serving.knative.dev/v1/Service': (o) => new KnativeService(o as unknown as IService),
};

/**
 * Throws with the schema's own messages when the object does not match. The schemas check types, required fields
 * and enums; they accept unknown fields, which is why the tests also assert each field we rely on by name.
 */
export function validateObject(object: KubeObject): void {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}: add one to test/deploy/support`);
  model(object).validate();
}
