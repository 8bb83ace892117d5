// Reads and validates the environment once, at start-up, into one typed object; nothing else reads process.env.
import { z } from 'zod';

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export type DatabaseConfig =
  | { kind: 'embedded'; dataDir: string }
  | {
      kind: 'postgres';
      /** Connection string, or undefined when built from POSTGRES_* (then host, port, ... are set). */
      connectionString?: string;
      host?: string;
      port?: number;
      user?: string;
      password?: string;
      database?: string;
      sslMode: SslMode;
    };

export interface Config {
  port: number;
  database: DatabaseConfig;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  readyTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** How long to keep accepting connections after the signal, so load balancers see /ready fail first. */
  shutdownDelayMs: number;
  /** A request's headers and body must all arrive within this, or it gets 408 and its connection closes. */
  requestTimeoutMs: number;
  /** Open connections the server holds at most (0: no cap); idle keep-alive ones are closed to make room. */
  maxConnections: number;
  /** Accepted API keys; empty means auth is off. Several keys allow rotation without downtime. */
  apiKeys: string[];
  logFormat: 'json' | 'pretty';
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Set on GCP; enables the Cloud Logging trace field. */
  googleCloudProject?: string;
  /** `stdout`: JSON lines for the logging agent; `cloud-logging`: the Cloud Logging API (no agent reads stdout). */
  logTarget: 'stdout' | 'cloud-logging';
  /** X-Forwarded-For entries our proxies write: the client's is the Nth from the right; 0 ignores the header. */
  trustedProxyHops: number;
  /** Error Reporting's serviceContext: Knative's K_SERVICE (else `usersvc`) and K_REVISION. */
  serviceName: string;
  serviceRevision?: string;
}

/** A start-up failure that names the variable at fault; the entrypoint prints it as one line. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

const integer = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

const sslModes = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

// Each variable: its schema and its default (as the string the environment would hold).
const variables = {
  PORT: { schema: integer(0, 65535), default: '8080' },
  POSTGRES_PORT: { schema: integer(1, 65535), default: '5432' },
  POSTGRES_SSL_MODE: {
    schema: z.enum(sslModes, { error: `must be one of ${sslModes.join(', ')}` }),
    default: 'disable',
  },
  DB_POOL_MAX: { schema: integer(1, 1000), default: '10' },
  DB_CONNECT_TIMEOUT_MS: { schema: integer(100, 600_000), default: '2000' },
  DB_STATEMENT_TIMEOUT_MS: { schema: integer(100, 600_000), default: '5000' },
  READY_TIMEOUT_MS: { schema: integer(50, 60_000), default: '1000' },
  SHUTDOWN_TIMEOUT_MS: { schema: integer(0, 600_000), default: '10000' },
  SHUTDOWN_DELAY_MS: { schema: integer(0, 600_000), default: '0' },
  // Below the revision's timeoutSeconds (60), so a slow client gets our 408 rather than queue-proxy's timeout.
  REQUEST_TIMEOUT_MS: { schema: integer(100, 600_000), default: '30000' },
  // queue-proxy holds at most containerConcurrency (50) connections in use plus its idle ones; room to spare.
  MAX_CONNECTIONS: { schema: integer(0, 1_000_000), default: '256' },
  LOG_FORMAT: {
    schema: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }),
    default: 'json',
  },
  LOG_LEVEL: {
    schema: z.enum(['error', 'warn', 'info', 'debug'], {
      error: 'must be one of error, warn, info, debug',
    }),
    default: 'info',
  },
  LOG_TARGET: {
    schema: z.enum(['stdout', 'cloud-logging'], { error: 'must be stdout or cloud-logging' }),
    default: 'stdout',
  },
  // Knative behind Google's external Application Load Balancer: the load balancer appends `<client>, <its own
  // address>`, the Knative gateway the Google front end's, queue-proxy the gateway's (docs/ARCHITECTURE.md).
  TRUSTED_PROXY_HOPS: { schema: integer(0, 20), default: '4' },
} as const;

type VariableName = keyof typeof variables;
type Parsed<N extends VariableName> = z.output<(typeof variables)[N]['schema']>;

function read<N extends VariableName>(env: NodeJS.ProcessEnv, name: N): Parsed<N> {
  const raw = env[name] === undefined || env[name] === '' ? variables[name].default : env[name];
  const result = variables[name].schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(name, `${result.error.issues[0]?.message ?? 'is invalid'} (got "${raw}")`);
  }
  return result.data as Parsed<N>;
}

function readDatabase(env: NodeJS.ProcessEnv): DatabaseConfig {
  const sslMode = read(env, 'POSTGRES_SSL_MODE');
  if (env.DATABASE_URL) {
    let url: URL;
    try {
      url = new URL(env.DATABASE_URL);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid URL');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
    }
    return { kind: 'postgres', connectionString: env.DATABASE_URL, sslMode };
  }
  if (env.POSTGRES_HOST) {
    return {
      kind: 'postgres',
      host: env.POSTGRES_HOST,
      port: read(env, 'POSTGRES_PORT'),
      user: env.POSTGRES_USER || 'postgres',
      password: env.POSTGRES_PASSWORD || undefined,
      database: env.POSTGRES_DB || env.POSTGRES_USER || 'postgres',
      sslMode,
    };
  }
  return { kind: 'embedded', dataDir: env.PGLITE_DATA_DIR || '.data/pglite' };
}

function readApiKeys(env: NodeJS.ProcessEnv): string[] {
  const keys = (env.API_KEY ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.some((key) => key.length < 16)) {
    throw new ConfigError('API_KEY', 'must hold keys of at least 16 characters');
  }
  return keys;
}

/** Reads every setting from the environment; the entrypoints call it once, tests pass their own. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: read(env, 'PORT'),
    database: readDatabase(env),
    poolMax: read(env, 'DB_POOL_MAX'),
    connectTimeoutMs: read(env, 'DB_CONNECT_TIMEOUT_MS'),
    statementTimeoutMs: read(env, 'DB_STATEMENT_TIMEOUT_MS'),
    readyTimeoutMs: read(env, 'READY_TIMEOUT_MS'),
    shutdownTimeoutMs: read(env, 'SHUTDOWN_TIMEOUT_MS'),
    shutdownDelayMs: read(env, 'SHUTDOWN_DELAY_MS'),
    requestTimeoutMs: read(env, 'REQUEST_TIMEOUT_MS'),
    maxConnections: read(env, 'MAX_CONNECTIONS'),
    apiKeys: readApiKeys(env),
    logFormat: read(env, 'LOG_FORMAT'),
    logLevel: read(env, 'LOG_LEVEL'),
    googleCloudProject: env.GOOGLE_CLOUD_PROJECT || undefined,
    logTarget: read(env, 'LOG_TARGET'),
    trustedProxyHops: read(env, 'TRUSTED_PROXY_HOPS'),
    serviceName: env.K_SERVICE || 'usersvc',
    serviceRevision: env.K_REVISION || undefined,
  };
}
