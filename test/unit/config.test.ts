// Configuration is read once from the environment into a typed object, with defaults and clear failures.
import { ConfigError, loadConfig } from '../../shared/config';

describe('loadConfig', () => {
  it('defaults to the embedded database, port 8080, pool 10 and auth off', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      database: { kind: 'embedded', dataDir: '.data/pglite' },
      poolMax: 10,
      apiKeys: [],
      logFormat: 'json',
      readyTimeoutMs: 1000,
    });
  });

  it('defaults the request timeout below the revision timeout and caps connections above queue-proxy’s', () => {
    expect(loadConfig({})).toMatchObject({ requestTimeoutMs: 30_000, maxConnections: 256 });
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '1000', MAX_CONNECTIONS: '0' })).toMatchObject({
      requestTimeoutMs: 1000,
      maxConnections: 0,
    });
  });

  it('prefers DATABASE_URL over POSTGRES_*', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/d', POSTGRES_HOST: 'other' });
    expect(config.database).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u@h:5432/d',
      sslMode: 'disable',
      poolMode: 'session',
    });
  });

  it('takes DB_POOL_MODE=transaction and a direct MIGRATION_DATABASE_URL for a pooler in front', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@pooler:6432/d',
      DB_POOL_MODE: 'transaction',
      MIGRATION_DATABASE_URL: 'postgres://u@db:5432/d',
    });
    expect(config.database).toMatchObject({
      poolMode: 'transaction',
      connectionString: 'postgres://u@pooler:6432/d',
      migrationConnectionString: 'postgres://u@db:5432/d',
    });
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/d', DB_POOL_MODE: 'statement' })).toThrow(
      'DB_POOL_MODE must be session or transaction',
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/d', MIGRATION_DATABASE_URL: 'mysql://h/d' })).toThrow(
      'MIGRATION_DATABASE_URL must start with postgres://',
    );
  });

  it('builds the connection from the seed service’s POSTGRES_* variables', () => {
    const config = loadConfig({
      POSTGRES_HOST: '/cloudsql/project:region:instance',
      POSTGRES_USER: 'app',
      POSTGRES_PASSWORD: 'pw',
      POSTGRES_DB: 'users',
      POSTGRES_SSL_MODE: 'verify-full',
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      host: '/cloudsql/project:region:instance',
      port: 5432,
      user: 'app',
      password: 'pw',
      database: 'users',
      sslMode: 'verify-full',
      poolMode: 'session',
    });
  });

  it('logs to stdout, trusts the 4 X-Forwarded-For entries of Knative behind a Google load balancer, names itself usersvc', () => {
    expect(loadConfig({})).toMatchObject({ logTarget: 'stdout', trustedProxyHops: 4, serviceName: 'usersvc' });
    expect(loadConfig({}).serviceRevision).toBeUndefined();
    expect(
      loadConfig({
        LOG_TARGET: 'cloud-logging',
        TRUSTED_PROXY_HOPS: '0',
        K_SERVICE: 'users',
        K_REVISION: 'users-00007',
      }),
    ).toMatchObject({
      logTarget: 'cloud-logging',
      trustedProxyHops: 0,
      serviceName: 'users',
      serviceRevision: 'users-00007',
    });
  });

  it('splits API_KEY on commas so that two keys can be live during a rotation', () => {
    expect(loadConfig({ API_KEY: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' }).apiKeys).toEqual([
      'aaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbb',
    ]);
  });

  it.each([
    [{ PORT: '80a' }, 'invalid configuration: PORT must be a whole number (got "80a")'],
    [{ PORT: '70000' }, 'invalid configuration: PORT must be from 0 to 65535 (got "70000")'],
    [{ DB_POOL_MAX: '0' }, 'invalid configuration: DB_POOL_MAX must be from 1 to 1000 (got "0")'],
    [{ LOG_LEVEL: 'INFO' }, 'invalid configuration: LOG_LEVEL must be one of error, warn, info, debug (got "INFO")'],
  ])('says what is wrong with %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads the bounds themselves and the defaults for empty values', () => {
    expect(loadConfig({ PORT: '0', DB_POOL_MAX: '1000', LOG_LEVEL: '' })).toMatchObject({
      port: 0,
      poolMax: 1000,
      logLevel: 'info',
    });
  });

  it.each([
    ['PORT', { PORT: '80a' }],
    ['PORT', { PORT: '70000' }],
    ['POSTGRES_PORT', { POSTGRES_HOST: 'h', POSTGRES_PORT: 'abc' }],
    ['POSTGRES_SSL_MODE', { POSTGRES_SSL_MODE: 'prefer' }],
    ['DB_STATEMENT_TIMEOUT_MS', { DB_STATEMENT_TIMEOUT_MS: '-5' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['REQUEST_TIMEOUT_MS', { REQUEST_TIMEOUT_MS: '10' }],
    ['MAX_CONNECTIONS', { MAX_CONNECTIONS: 'many' }],
    ['LOG_TARGET', { LOG_TARGET: 'syslog' }],
    ['TRUSTED_PROXY_HOPS', { TRUSTED_PROXY_HOPS: 'all' }],
  ])('throws a ConfigError naming %s', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid configuration: ${variable} `));
  });

  it('turns bearer tokens on with AUTH_ISSUER and AUTH_AUDIENCE, with safe defaults', () => {
    const config = loadConfig({
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'https://usersvc.example.com, https://usersvc-old.example.com',
    });
    expect(config.bearer).toEqual({
      issuer: 'https://login.example.com/',
      audiences: ['https://usersvc.example.com', 'https://usersvc-old.example.com'],
      jwksUrl: undefined,
      algorithms: ['RS256', 'ES256'],
      clockToleranceSeconds: 30,
      grants: {},
    });
    expect(loadConfig({}).bearer).toBeUndefined();
  });

  it('reads named, scoped API keys and grants as JSON', () => {
    const config = loadConfig({
      API_KEYS: '[{"name":"reporting","key":"reporting-key-0123456789","scopes":["users:read"]}]',
      AUTH_ISSUER: 'http://127.0.0.1:9000',
      AUTH_AUDIENCE: 'a',
      AUTH_GRANTS: '{"svc@p.iam.gserviceaccount.com":["users:read","metrics:read"]}',
    });
    expect(config.scopedApiKeys).toEqual([
      { name: 'reporting', key: 'reporting-key-0123456789', scopes: ['users:read'] },
    ]);
    expect(config.bearer?.grants).toEqual({ 'svc@p.iam.gserviceaccount.com': ['users:read', 'metrics:read'] });
  });

  it.each([
    ['AUTH_AUDIENCE', { AUTH_ISSUER: 'https://login.example.com' }, 'must be set when AUTH_ISSUER is'],
    ['AUTH_AUDIENCE', { AUTH_AUDIENCE: 'x' }, 'is set but AUTH_ISSUER is not'],
    ['AUTH_ISSUER', { AUTH_ISSUER: 'http://login.example.com', AUTH_AUDIENCE: 'x' }, 'must be an https:// URL'],
    [
      'AUTH_JWKS_URL',
      { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'x', AUTH_JWKS_URL: 'ftp://k' },
      'must be an https://',
    ],
    [
      'AUTH_ALGORITHMS',
      { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'x', AUTH_ALGORITHMS: 'RS256,HS256' },
      'must be some of',
    ],
    ['AUTH_ALGORITHMS', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'x', AUTH_ALGORITHMS: 'none' }, 'must be some of'],
    ['AUTH_GRANTS', { AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'x', AUTH_GRANTS: '{"a":["admin"]}' }, 'holds a scope'],
    ['API_KEYS', { API_KEYS: 'not json' }, 'is not valid JSON'],
    ['API_KEYS', { API_KEYS: '[{"name":"a","key":"short","scopes":[]}]' }, 'at least 16 characters'],
    ['API_KEYS', { API_KEYS: '[{"name":"a b","key":"0123456789abcdef","scopes":[]}]' }, 'needs names'],
    [
      'API_KEYS',
      { API_KEY: '0123456789abcdef', API_KEYS: '[{"name":"a","key":"0123456789abcdef","scopes":[]}]' },
      'holds a key that API_KEY also holds',
    ],
  ])('refuses a bad %s: %j', (variable, env, words) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid configuration: ${variable} .*${words}`));
  });

  it('never echoes a key or a grant in its error', () => {
    const secret = 'secret-key-0123456789-not-for-logs';
    expect(() => loadConfig({ API_KEYS: `[{"name":"x y","key":"${secret}","scopes":[]}]` })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });
});
