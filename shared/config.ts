// Reads and validates the environment once, at start-up, into one typed object; nothing else reads process.env.
import { z } from 'zod';
import { ALL_SCOPES, type Scope } from './auth/scopes';

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/**
 * `session`: the pool's connections are PostgreSQL sessions of their own (direct, or a session-mode pooler).
 * `transaction`: through a transaction-mode pooler (PgBouncer, Cloud SQL managed pooling), which hands each
 * transaction whatever server session is free, so nothing may live on a session between transactions.
 */
export type PoolMode = 'session' | 'transaction';

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
      poolMode: PoolMode;
      /** A direct connection for migrations (their lock is a session's), when the service's own goes through a pooler. */
      migrationConnectionString?: string;
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
  /** Accepted API keys, each with every scope; several keys allow rotation without downtime. */
  apiKeys: string[];
  /** API keys with a name (for the logs) and only the scopes given (API_KEYS). */
  scopedApiKeys: ScopedApiKey[];
  /** Bearer tokens (OAuth 2.0 / OIDC), when AUTH_ISSUER is set. With no keys and no issuer, auth is off. */
  bearer?: BearerConfig;
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

export interface ScopedApiKey {
  name: string;
  key: string;
  scopes: Scope[];
}

export interface BearerConfig {
  /** The `iss` tokens must carry; also where OIDC discovery finds the JWKS, unless jwksUrl is set. */
  issuer: string;
  /** Accepted `aud` values (any one). */
  audiences: string[];
  jwksUrl?: string;
  /** Asymmetric algorithms only: `none` and HMAC are refused at start-up. */
  algorithms: string[];
  clockToleranceSeconds: number;
  /** Scopes given to a principal (`sub`, or a verified `email`) on top of its token's: Google ID tokens carry none. */
  grants: Record<string, Scope[]>;
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

// One zod schema per variable, applied to the text the environment holds; the messages say the allowed values or
// range, and the error names the variable.
const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`));

const oneOf = <const T extends readonly [string, ...string[]]>(values: T, problem: string) =>
  z.enum(values, { error: problem });

const sslModes = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

// Each variable: how it is read, and its default (as the string the environment would hold).
const variables = {
  PORT: { schema: integer(0, 65535), default: '8080' },
  POSTGRES_PORT: { schema: integer(1, 65535), default: '5432' },
  POSTGRES_SSL_MODE: { schema: oneOf(sslModes, `must be one of ${sslModes.join(', ')}`), default: 'disable' },
  DB_POOL_MODE: { schema: oneOf(['session', 'transaction'], 'must be session or transaction'), default: 'session' },
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
  LOG_FORMAT: { schema: oneOf(['json', 'pretty'], 'must be json or pretty'), default: 'json' },
  LOG_LEVEL: {
    schema: oneOf(['error', 'warn', 'info', 'debug'], 'must be one of error, warn, info, debug'),
    default: 'info',
  },
  LOG_TARGET: { schema: oneOf(['stdout', 'cloud-logging'], 'must be stdout or cloud-logging'), default: 'stdout' },
  // Knative behind Google's external Application Load Balancer: the load balancer appends `<client>, <its own
  // address>`, the Knative gateway the Google front end's, queue-proxy the gateway's (docs/ARCHITECTURE.md).
  TRUSTED_PROXY_HOPS: { schema: integer(0, 20), default: '4' },
  // How far a token's exp and nbf may be off the issuer's clock: a small allowance for clock drift.
  AUTH_CLOCK_SKEW_SECONDS: { schema: integer(0, 300), default: '30' },
} as const;

type VariableName = keyof typeof variables;

/** The value `schema` makes of `raw`, or a ConfigError with the first problem (and `raw` itself when `echo`). */
function check<S extends z.ZodType>(name: string, schema: S, raw: string, echo: boolean): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problem = result.error.issues[0]?.message ?? 'is not valid';
  throw new ConfigError(name, echo ? `${problem} (got "${raw}")` : problem);
}

function read<N extends VariableName>(env: NodeJS.ProcessEnv, name: N): z.output<(typeof variables)[N]['schema']> {
  const raw = env[name] === undefined || env[name] === '' ? variables[name].default : (env[name] as string);
  return check(name, variables[name].schema, raw, true) as z.output<(typeof variables)[N]['schema']>;
}

// Not echoed in errors: a connection string can hold a password.
const postgresUrl = z
  .string()
  .refine((raw) => URL.canParse(raw), { message: 'is not a valid URL', abort: true })
  .refine((raw) => ['postgres:', 'postgresql:'].includes(new URL(raw).protocol), {
    message: 'must start with postgres:// or postgresql://',
  });

const readPostgresUrl = (env: NodeJS.ProcessEnv, name: 'DATABASE_URL' | 'MIGRATION_DATABASE_URL'): string =>
  check(name, postgresUrl, env[name] as string, false);

function readDatabase(env: NodeJS.ProcessEnv): DatabaseConfig {
  const shared = {
    sslMode: read(env, 'POSTGRES_SSL_MODE'),
    poolMode: read(env, 'DB_POOL_MODE'),
    migrationConnectionString: env.MIGRATION_DATABASE_URL ? readPostgresUrl(env, 'MIGRATION_DATABASE_URL') : undefined,
  };
  if (env.DATABASE_URL) {
    return { kind: 'postgres', connectionString: readPostgresUrl(env, 'DATABASE_URL'), ...shared };
  }
  if (env.POSTGRES_HOST) {
    return {
      kind: 'postgres',
      host: env.POSTGRES_HOST,
      port: read(env, 'POSTGRES_PORT'),
      user: env.POSTGRES_USER || 'postgres',
      password: env.POSTGRES_PASSWORD || undefined,
      database: env.POSTGRES_DB || env.POSTGRES_USER || 'postgres',
      ...shared,
    };
  }
  return { kind: 'embedded', dataDir: env.PGLITE_DATA_DIR || '.data/pglite' };
}

// Comma-separated, so that two keys can be live during a rotation; not echoed in errors.
const apiKeys = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0),
  )
  .pipe(z.array(z.string().min(16, 'must hold keys of at least 16 characters')));

const json = z.string().transform((raw, context) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'is not valid JSON' });
    return z.NEVER;
  }
});

const scopeList = z.array(z.enum(ALL_SCOPES, { error: `holds a scope other than ${ALL_SCOPES.join(', ')}` }));

// Not echoed in errors: the keys are secrets.
const scopedApiKeys = json.pipe(
  z
    .array(
      z.strictObject(
        {
          name: z.string().regex(/^[\w.@-]{1,64}$/, 'needs names of 1 to 64 letters, digits, ".", "@", "-" or "_"'),
          key: z.string().min(16, 'must hold keys of at least 16 characters'),
          scopes: scopeList,
        },
        { error: 'must be a JSON array of {"name", "key", "scopes"}' },
      ),
      { error: 'must be a JSON array of {"name", "key", "scopes"}' },
    )
    .refine((keys) => new Set(keys.map((k) => k.name)).size === keys.length, 'has a name twice')
    .refine((keys) => new Set(keys.map((k) => k.key)).size === keys.length, 'has a key twice'),
);

// Plain https, or http on this machine (an identity provider in a test or beside the service); never a key set
// fetched over the network unencrypted.
const authUrl = z
  .string()
  .refine((raw) => URL.canParse(raw), { message: 'is not a valid URL', abort: true })
  .refine(
    (raw) => {
      const url = new URL(raw);
      return (
        url.protocol === 'https:' ||
        (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
      );
    },
    { message: 'must be an https:// URL (http:// only for localhost)' },
  );

const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const commaList = z.string().transform((raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

function readBearer(env: NodeJS.ProcessEnv): BearerConfig | undefined {
  if (!env.AUTH_ISSUER) {
    for (const name of ['AUTH_AUDIENCE', 'AUTH_JWKS_URL', 'AUTH_GRANTS'] as const) {
      if (env[name]) throw new ConfigError(name, 'is set but AUTH_ISSUER is not (bearer tokens are off without it)');
    }
    return undefined;
  }
  const audiences = check('AUTH_AUDIENCE', commaList, env.AUTH_AUDIENCE ?? '', true);
  if (audiences.length === 0) throw new ConfigError('AUTH_AUDIENCE', 'must be set when AUTH_ISSUER is');
  return {
    issuer: check('AUTH_ISSUER', authUrl, env.AUTH_ISSUER, true),
    audiences,
    jwksUrl: env.AUTH_JWKS_URL ? check('AUTH_JWKS_URL', authUrl, env.AUTH_JWKS_URL, true) : undefined,
    algorithms: check(
      'AUTH_ALGORITHMS',
      commaList.pipe(
        z
          .array(z.enum(ASYMMETRIC, { error: `must be some of ${ASYMMETRIC.join(', ')}` }))
          .min(1, 'must name at least one algorithm'),
      ),
      env.AUTH_ALGORITHMS || 'RS256,ES256',
      true,
    ),
    clockToleranceSeconds: read(env, 'AUTH_CLOCK_SKEW_SECONDS'),
    grants: env.AUTH_GRANTS
      ? check(
          'AUTH_GRANTS',
          json.pipe(z.record(z.string().min(1), scopeList, { error: 'must be a JSON object of principal: [scopes]' })),
          env.AUTH_GRANTS,
          false,
        )
      : {},
  };
}

/** Reads every setting from the environment; the entrypoints call it once, tests pass their own. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const keys = check('API_KEY', apiKeys, env.API_KEY ?? '', false);
  const named = env.API_KEYS ? check('API_KEYS', scopedApiKeys, env.API_KEYS, false) : [];
  // A key in both would be judged by API_KEY (every scope), silently undoing the scopes API_KEYS gives it.
  if (named.some(({ key }) => keys.includes(key)))
    throw new ConfigError('API_KEYS', 'holds a key that API_KEY also holds');
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
    apiKeys: keys,
    scopedApiKeys: named,
    bearer: readBearer(env),
    logFormat: read(env, 'LOG_FORMAT'),
    logLevel: read(env, 'LOG_LEVEL'),
    googleCloudProject: env.GOOGLE_CLOUD_PROJECT || undefined,
    logTarget: read(env, 'LOG_TARGET'),
    trustedProxyHops: read(env, 'TRUSTED_PROXY_HOPS'),
    serviceName: env.K_SERVICE || 'usersvc',
    serviceRevision: env.K_REVISION || undefined,
  };
}
