// What `--allocations` and `--perf` share: the service and the baseline, each started by the mode itself, under the
// workloads chosen, on a seeded database of the mode's own, with one folder for what the profilers write.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { seededBenchDatabase } from './database';
import { STEADY_STATE_SECONDS, type CellOptions } from './load';
import type { NodeRuntime } from './node-runtime';
import type { BenchOptions } from './options';
import { PLATFORM_HEADERS, SCRIPTS, serverEnv, type ServerSpec } from './processes';
import { RESULTS_DIR } from './report';
import { bundleModules } from './source-modules';
import { createWorkloads } from './workloads';

export interface PairSettings {
  database: string;
  /** The workloads when --workloads names none. */
  defaultWorkloads: readonly string[];
  /** The results folder's name before its timestamp, e.g. `perf-`. */
  resultsPrefix: string;
  /** Whether the mode can run an API-key workload (it starts the service with the key itself). */
  apiKey: boolean;
}

export async function prepareServerPair(options: BenchOptions, node: NodeRuntime, settings: PairSettings) {
  const startedAt = new Date().toISOString();
  const { url, data } = await seededBenchDatabase(options.databaseUrl, settings.database, options.seedRows);
  const names = options.workloads.length ? options.workloads : settings.defaultWorkloads;
  const workloads = createWorkloads(data).filter((w) => names.includes(w.name) && (settings.apiKey || !w.apiKey));
  if (workloads.length !== names.length) {
    throw new Error(`unknown workloads among ${names.join(', ')}${settings.apiKey ? '' : ' (or an API-key one)'}`);
  }
  const env = serverEnv(url, options.poolMax);
  const specs: ServerSpec[] = [
    { name: 'service', script: SCRIPTS.service, env, node: node.execPath },
    { name: 'baseline', script: SCRIPTS.baseline, env, node: node.execPath },
  ];
  const cellOptions: CellOptions = {
    connections: Math.max(...options.connections),
    durationSeconds: options.durationSeconds,
    warmupSeconds: STEADY_STATE_SECONDS,
    data,
    headers: PLATFORM_HEADERS,
  };
  const dir = path.join(RESULTS_DIR, `${settings.resultsPrefix}${startedAt.replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  // The bundled service's lines mapped back to their source modules, so that a module has one name in both servers.
  const bundles = new Map([[SCRIPTS.service, bundleModules(SCRIPTS.service)]]);
  return { startedAt, url, workloads, specs, cellOptions, dir, bundles };
}
