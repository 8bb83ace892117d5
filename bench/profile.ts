// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, and self and inclusive time per package.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the system's monotonic clock, the one process.hrtime reads. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) samples. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  /** Whether only samples inside the given time window were counted (false: the whole process lifetime). */
  windowed: boolean;
  topFunctions: ProfileEntry[];
  /** Where the CPU was spent: the package (or node core area) of the function on top of the stack. */
  selfByPackage: ProfileEntry[];
  /** How much time had the package anywhere on the stack (a caller's share includes what it called). */
  inclusiveByPackage: ProfileEntry[];
}

/** A readable owner for a script URL: an npm package, a node core area, our own file, or a V8 pseudo-frame. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native: JSON, RegExp, builtins)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) {
    const module = url.slice('node:'.length);
    if (/async_hooks|domain|promise_hooks/.test(module)) return 'node:domain + async hooks';
    if (/^internal\/modules\//.test(module)) return 'node:module loading';
    if (/^internal\/streams\//.test(module)) return 'node:streams';
    return `node:${module.replace(/^internal\//, '')}`;
  }
  const dist = url.indexOf('/dist/');
  return dist === -1 ? url : `usersvc ${url.slice(dist + 1).replace(/\/[^/]+$/, '/')}`;
}

const shortUrl = (url: string) => {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  return dist === -1 ? url : url.slice(dist + 1);
};

function top(map: Map<string, number>, busyMs: number, count: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: busyMs > 0 ? (ms / busyMs) * 100 : 0 }));
}

/**
 * Summarises the samples taken inside `window` ([start, end] in microseconds of process.hrtime), so that start-up
 * and shutdown do not count; without a window, or if it misses the profile, every sample counts.
 */
export function summariseProfile(file: string, window?: [number, number], topCount = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const stamps: number[] = [];
  let clock = profile.startTime;
  for (const delta of profile.timeDeltas) stamps.push((clock += delta));
  const windowed = window !== undefined && stamps.some((t) => t >= window[0] && t <= window[1]);
  const inWindow = (index: number) =>
    !windowed || !window || ((stamps[index] ?? 0) >= window[0] && (stamps[index] ?? 0) <= window[1]);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const inclusiveByPackage = new Map<string, number>();
  let busyMs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node || !inWindow(index)) return;
    const ms = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') return;
    busyMs += ms;
    const label = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    selfByFunction.set(label, (selfByFunction.get(label) ?? 0) + ms);
    const owner = packageOf(url, functionName);
    selfByPackage.set(owner, (selfByPackage.get(owner) ?? 0) + ms);
    // Count each package once per sample, however many of its frames are on the stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at);
      if (!frame || frame.callFrame.functionName === '(root)') continue;
      seen.add(packageOf(frame.callFrame.url, frame.callFrame.functionName));
    }
    for (const name of seen) inclusiveByPackage.set(name, (inclusiveByPackage.get(name) ?? 0) + ms);
  });

  return {
    busyMs: Math.round(busyMs),
    windowed,
    topFunctions: top(selfByFunction, busyMs, topCount),
    selfByPackage: top(selfByPackage, busyMs, topCount),
    inclusiveByPackage: top(inclusiveByPackage, busyMs, topCount),
  };
}
