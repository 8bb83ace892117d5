// A PostgreSQL of the test's own (Debian's server binaries, a temporary data directory, a free port), for faults the
// machine's shared cluster must never suffer: a stop and a restart under load, as a failover looks to a client.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, postgresAnswers } from '../../../scripts/local-port';

/** Debian's server binaries, newest version first; undefined when the server package is not installed. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = (() => {
    try {
      return readdirSync(root).sort((a, b) => Number(b) - Number(a));
    } catch {
      return [];
    }
  })();
  return versions
    .map((version) => path.join(root, version, 'bin'))
    .find((bin) => spawnSync(`${bin}/postgres`, ['--version']).status === 0);
}

export interface OwnPostgres {
  port: number;
  /** A connection string for `database` on this server. */
  url(database?: string): string;
  /** Fast shutdown (every session terminated with 57P01, as a failover ends them); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

function asPostgresUser(): string[] {
  // PostgreSQL refuses to run as root: as root, run it as the postgres user, who must own the data directory.
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const dir = mkdtempSync(path.join(tmpdir(), 'usersvc-own-postgres-'));
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString());
    const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const [runAs, ...runAsArgs] = [...asPostgresUser(), `${bin}/initdb`];
  const init = spawnSync(runAs as string, [...runAsArgs, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], {
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();

  let server: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    const [command, ...args] = [
      ...asPostgresUser(),
      `${bin}/postgres`,
      ...['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ];
    const child = spawn(command as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    server = child;
    const deadline = Date.now() + 30_000;
    while (!(await postgresAnswers(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const child = server;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The postmaster's pid is the first line of postmaster.pid (the child may be runuser, which waits for it).
    const postmaster = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGINT');
    await exited;
  };

  await start();
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop,
    start,
    async destroy() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
