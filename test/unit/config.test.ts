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

  it('prefers DATABASE_URL over POSTGRES_*', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/d', POSTGRES_HOST: 'other' });
    expect(config.database).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u@h:5432/d',
      sslMode: 'disable',
    });
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
    });
  });

  it('splits API_KEY on commas so that two keys can be live during a rotation', () => {
    expect(loadConfig({ API_KEY: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' }).apiKeys).toEqual([
      'aaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbb',
    ]);
  });

  it.each([
    ['PORT', { PORT: '80a' }],
    ['PORT', { PORT: '70000' }],
    ['POSTGRES_PORT', { POSTGRES_HOST: 'h', POSTGRES_PORT: 'abc' }],
    ['POSTGRES_SSL_MODE', { POSTGRES_SSL_MODE: 'prefer' }],
    ['DB_STATEMENT_TIMEOUT_MS', { DB_STATEMENT_TIMEOUT_MS: '-5' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
  ])('throws a ConfigError naming %s', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid configuration: ${variable} `));
  });
});
