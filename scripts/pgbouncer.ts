// Starts Debian's PgBouncer in transaction mode in front of a PostgreSQL, as a child process on a free port, for the
// tests and `npm run bench -- --pooled`: the pooler production puts before the database (Cloud SQL's managed pooling,
// Supavisor and RDS Proxy hand out server sessions per transaction the same way).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, postgresAnswers } from './local-port';

export const PGBOUNCER = '/usr/sbin/pgbouncer';

/** True when Debian's pgbouncer package is installed (`.ci/run` installs it). */
export const havePgBouncer = (): boolean => spawnSync(PGBOUNCER, ['--version']).status === 0;

export interface PgBouncerOptions {
  /** The PostgreSQL it pools (default 127.0.0.1:5432). */
  serverHost?: string;
  serverPort?: number;
  /** Server sessions per database and user: all PostgreSQL ever sees of the clients. */
  poolSize?: number;
  maxClientConnections?: number;
}

export interface PgBouncer {
  port: number;
  /** `url` with its host and port replaced by the pooler's: the same database, reached through PgBouncer. */
  pooled(url: string): string;
  /** Everything PgBouncer logged so far. */
  output(): string;
  stop(): Promise<void>;
}

export async function startPgBouncer(options: PgBouncerOptions = {}): Promise<PgBouncer> {
  const { serverHost = '127.0.0.1', serverPort = 5432, poolSize = 10, maxClientConnections = 1000 } = options;
  const dir = mkdtempSync(path.join(tmpdir(), 'usersvc-pgbouncer-'));
  // PgBouncer refuses to run as root; `-u postgres` drops to that user, who must read these files.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const authFile = path.join(dir, 'users.txt');
  writeFileSync(authFile, '"postgres" ""\n', { mode: 0o644 });
  const configFile = path.join(dir, 'pgbouncer.ini');
  writeFileSync(
    configFile,
    [
      '[databases]',
      // The fallback entry: every database name reaches the database of the same name on the server.
      `* = host=${serverHost} port=${serverPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${authFile}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'reserve_pool_size = 0',
      `max_client_conn = ${maxClientConnections}`,
      // SHOW POOLS and the like, on the pooler's own `pgbouncer` database.
      'admin_users = postgres',
      // ignore_startup_parameters is left at its default (none): a client that sends what PgBouncer does not track
      // is refused, as in production.
      '',
    ].join('\n'),
    { mode: 0o644 },
  );

  const args = process.getuid?.() === 0 ? ['-u', 'postgres', configFile] : [configFile];
  const child: ChildProcess = spawn(PGBOUNCER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await postgresAnswers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer did not start on ${port}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    port,
    pooled(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    output: () => log,
    stop,
  };
}
