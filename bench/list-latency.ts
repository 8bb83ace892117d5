// List-page latency on a small and a large table: keyset pagination should keep a deep page as fast as the first.
import {
  countUsers,
  dropDatabase,
  cursorAfterRow,
  explainListPages,
  recreateDatabase,
  seedUsers,
  databaseUrlFor,
} from './database';
import { probeWorkload, runCell } from './load';
import type { BenchOptions } from './options';
import { PLATFORM_HEADERS, SCRIPTS, serverEnv, startServer, type RunningServer } from './processes';
import type { ListTable } from './report';
import { createWorkloads, workloadNamed } from './workloads';

const SMALL_DATABASE = 'usersvc_bench_small';
const LARGE_DATABASE = 'usersvc_bench_large';
/** A deep page starts 90% of the way through the table. */
const DEEP_FRACTION = 0.9;
const PAGE_SIZE = 50;

async function prepare(
  options: BenchOptions,
  name: string,
  rows: number,
  reuse: boolean,
  progress: (line: string) => void,
): Promise<{ url: string; seedSeconds?: number }> {
  if (reuse) {
    const url = databaseUrlFor(options.databaseUrl, name);
    const existing = await countUsers(url).catch(() => -1);
    if (existing === rows) {
      progress(`reusing ${name} (${rows} rows, --reuse-large)`);
      return { url };
    }
  }
  const url = await recreateDatabase(options.databaseUrl, name);
  progress(`seeding ${name} with ${rows} rows...`);
  const seedSeconds = await seedUsers(url, rows);
  progress(
    `seeded ${name}: ${rows} rows in ${seedSeconds.toFixed(1)} s (INSERT ... SELECT generate_series + VACUUM ANALYZE)`,
  );
  return { url, seedSeconds };
}

export async function measureListLatency(
  options: BenchOptions,
  node: string,
  progress: (line: string) => void,
): Promise<{ connections: number; small: ListTable; large: ListTable }> {
  const tables = [
    {
      label: 'small',
      rows: options.smallRows,
      ...(await prepare(options, SMALL_DATABASE, options.smallRows, false, progress)),
    },
    {
      label: 'large',
      rows: options.largeRows,
      ...(await prepare(options, LARGE_DATABASE, options.largeRows, options.reuseLarge, progress)),
    },
  ];
  const connections = options.listConnections;
  const prepared = [];
  for (const table of tables) {
    const deepOffset = Math.floor(table.rows * DEEP_FRACTION);
    const cursor = await cursorAfterRow(table.url, deepOffset);
    const data = { ids: [], seedRows: table.rows, cursor };
    const workloads = createWorkloads(data);
    const listFirst = workloadNamed(workloads, 'listFirst');
    const listCursor = workloadNamed(workloads, 'listCursor');
    prepared.push({ ...table, deepOffset, cursor, data, listFirst, listCursor });
  }

  const servers: RunningServer[] = [];
  try {
    for (const table of prepared) {
      servers.push(
        await startServer({
          name: `service ${table.label}`,
          script: SCRIPTS.service,
          env: serverEnv(table.url, options.poolMax),
          node,
        }),
      );
    }
    for (const [index, table] of prepared.entries()) {
      await probeWorkload(servers[index] as RunningServer, table.listFirst);
      await probeWorkload(servers[index] as RunningServer, table.listCursor);
    }
    const cells = { first: [] as ListTable['first'][], deep: [] as ListTable['deep'][] };
    const cellOptions = {
      connections,
      durationSeconds: options.listSeconds,
      warmupSeconds: options.warmupSeconds,
      headers: PLATFORM_HEADERS,
    };
    // Alternate the tables within each page kind, so drift in the machine's load hits both alike.
    for (const page of ['first', 'deep'] as const) {
      for (const [index, table] of prepared.entries()) {
        const server = servers[index] as RunningServer;
        const cell = await runCell(server, page === 'first' ? table.listFirst : table.listCursor, {
          ...cellOptions,
          data: table.data,
        });
        cells[page].push(cell);
        progress(
          `list ${page} page, ${table.rows} rows: ${cell.reqPerSec.toFixed(0)} req/s, mean ${cell.latencyMs.mean.toFixed(2)} ms, ` +
            `p99 ${cell.latencyMs.p99.toFixed(1)} ms, errors ${cell.errors}`,
        );
      }
    }
    const result = await Promise.all(
      prepared.map(async (table, index): Promise<ListTable> => ({
        rows: table.rows,
        seedSeconds: table.seedSeconds,
        deepOffset: table.deepOffset,
        first: cells.first[index] as ListTable['first'],
        deep: cells.deep[index] as ListTable['deep'],
        plans: await explainListPages(table.url, table.cursor, PAGE_SIZE),
      })),
    );
    return { connections, small: result[0] as ListTable, large: result[1] as ListTable };
  } finally {
    for (const server of servers) await server.stop();
    // A million rows hold a few hundred MB of disk: keep them only when asked to reuse them next run.
    if (!options.reuseLarge) await dropDatabase(options.databaseUrl, LARGE_DATABASE);
  }
}
