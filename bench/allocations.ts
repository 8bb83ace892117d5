// `npm run bench -- --allocations`: how many bytes each request allocates, in the service and in the baseline, and
// in which module. V8's sampling heap profiler (bench/heap-sampler.ts, preloaded) counts during one cell of load,
// collected objects included. A count of bytes does not move with the machine's speed the way CPU time does: on a
// shared VM whose speed drifts by a third, a change of a few hundred bytes a request shows here when no paired CPU
// measurement can resolve it. Garbage costs its allocation and the work that made it; what survives a scavenge costs
// the copying too.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { restoreSeededTable, serverVersion } from './database';
import { moduleOf } from './source-modules';
import { prepareServerPair } from './server-pair';
import { probeWorkload, runCell, type CellOptions } from './load';
import type { NodeRuntime } from './node-runtime';
import type { BenchOptions } from './options';
import { ROOT, startServer, type ServerSpec } from './processes';
import { resultsHeader, textTable, writeResults } from './report';
import type { Workload } from './workloads';

const DATABASE = 'usersvc_bench_allocations';
const DEFAULT_WORKLOADS = ['getById', 'create'];
const SAMPLER = path.join(ROOT, 'dist/bench/heap-sampler.js');

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: HeapNode[];
}

export interface AllocationSummary {
  bytesPerRequest: number;
  /** Bytes a request by module, largest first. */
  byModule: { module: string; bytesPerRequest: number }[];
}

export function summariseHeapProfile(file: string, requests: number, bundles: Map<string, string[]>) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head?: HeapNode; error?: string };
  if (!profile.head) throw new Error(`no heap profile in ${file}: ${profile.error ?? 'empty'}`);
  const byModule = new Map<string, number>();
  let total = 0;
  const visit = (node: HeapNode) => {
    if (node.selfSize > 0) {
      const module = moduleOf(node.callFrame.url, node.callFrame.lineNumber, bundles);
      byModule.set(module, (byModule.get(module) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(profile.head);
  return {
    bytesPerRequest: total / requests,
    byModule: [...byModule.entries()]
      .map(([module, bytes]) => ({ module, bytesPerRequest: bytes / requests }))
      .sort((a, b) => b.bytesPerRequest - a.bytesPerRequest),
  };
}

const until = async (done: () => boolean, what: string) => {
  for (let waited = 0; !done(); waited += 100) {
    if (waited > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** One cell of load with the sampler on; the profile covers exactly that cell. */
async function sampleUnder(spec: ServerSpec, workload: Workload, cellOptions: CellOptions, file: string) {
  rmSync(file, { force: true });
  const server = await startServer({
    ...spec,
    env: { ...spec.env, HEAP_PROFILE_OUT: file },
    nodeArgs: [...(spec.nodeArgs ?? []), '--require', SAMPLER],
  });
  try {
    await probeWorkload(server, workload, cellOptions.headers);
    await runCell(server, workload, { ...cellOptions, durationSeconds: cellOptions.warmupSeconds, warmupSeconds: 0 });
    process.kill(server.pid, 'SIGUSR2');
    const cell = await runCell(server, workload, { ...cellOptions, warmupSeconds: 0 });
    process.kill(server.pid, 'SIGUSR2');
    await until(() => existsSync(file), `the heap profile of ${spec.name}`);
    return cell;
  } finally {
    await server.stop();
  }
}

export async function runAllocations(
  options: BenchOptions,
  node: NodeRuntime,
  progress: (line: string) => void,
): Promise<void> {
  const { startedAt, url, workloads, specs, cellOptions, dir, bundles } = await prepareServerPair(options, node, {
    database: DATABASE,
    defaultWorkloads: DEFAULT_WORKLOADS,
    resultsPrefix: 'heapprofile-',
    apiKey: false,
  });

  const rows = [];
  for (const workload of workloads) {
    const measured: Record<string, AllocationSummary & { requests: number; file: string }> = {};
    for (const spec of specs) {
      progress(`sampling what ${spec.name} allocates under ${workload.name} at ${cellOptions.connections} connections`);
      const file = path.join(dir, `${workload.name}-${spec.name}.heapprofile`);
      const cell = await sampleUnder(spec, workload, cellOptions, file);
      if (cell.errors > 0) throw new Error(`${spec.name} answered ${cell.errors} errors under ${workload.name}`);
      measured[spec.name] = {
        ...summariseHeapProfile(file, cell.requests, bundles),
        requests: cell.requests,
        file: path.relative(ROOT, file),
      };
      if (workload.writes) await restoreSeededTable(url);
    }
    rows.push({ workload: workload.name, service: measured.service, baseline: measured.baseline });
  }

  const kb = (bytes: number) => (bytes / 1000).toFixed(2);
  for (const { workload, service, baseline } of rows) {
    if (!service || !baseline) continue;
    const base = new Map(baseline.byModule.map((m) => [m.module, m.bytesPerRequest]));
    const own = new Map(service.byModule.map((m) => [m.module, m.bytesPerRequest]));
    const modules = [...new Set([...own.keys(), ...base.keys()])]
      .map((module) => ({ module, service: own.get(module) ?? 0, baseline: base.get(module) ?? 0 }))
      .sort((a, b) => b.service - b.baseline - (a.service - a.baseline));
    process.stdout.write(
      `\nAllocated a request under ${workload}, ${cellOptions.connections} connections, Node ${node.version}: ` +
        `service ${kb(service.bytesPerRequest)} kB, baseline ${kb(baseline.bytesPerRequest)} kB ` +
        `(${(service.bytesPerRequest / baseline.bytesPerRequest).toFixed(2)}×; ${service.requests} and ` +
        `${baseline.requests} requests sampled)\n` +
        textTable([
          ['module (most allocated beyond the baseline first)', 'service kB/req', 'baseline kB/req', 'difference'],
          ...modules.slice(0, 20).map((m) => [m.module, kb(m.service), kb(m.baseline), kb(m.service - m.baseline)]),
        ]) +
        '\n',
    );
  }
  const results = writeResults(
    {
      ...resultsHeader('allocations', startedAt, node.version, await serverVersion(options.databaseUrl), options),
      connections: cellOptions.connections,
      rows,
    },
    'allocations-',
  );
  process.stdout.write(`\nraw figures: ${path.relative(ROOT, results)} (and bench/results/allocations-latest.json)\n`);
}
