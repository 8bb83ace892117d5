// /metrics behind auth, scraped by Debian's Prometheus the two ways monitoring/kubernetes/ configures: an API key with
// the metrics:read scope in `Authorization: ApiKey` (what prometheus-operator and GMP can send), and an OAuth 2.0
// client-credentials token Prometheus fetches itself from a real identity provider (oidc-provider). A scrape
// without credentials is refused, so a misconfigured scrape shows as a target down, not as silence.
import { createPostgresDatabase, type TestDatabase } from '../support/database';
import { startOidcProvider, type OidcProvider, type ProviderClient } from '../support/oidc-provider';
import { startService, type Service } from '../support/service';
import { startPrometheus, type Prometheus } from './support/prometheus';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
const AUDIENCE = 'https://usersvc.example.com';
const SCRAPE_KEY = 'prometheus-scrape-key-0123456789';
const scraper: ProviderClient = {
  client_id: 'prometheus',
  client_secret: 'prom-secret-0123456789',
  scope: 'metrics:read',
};

describe('Prometheus scraping /metrics with auth on', () => {
  let database: TestDatabase;
  let provider: OidcProvider;
  let prometheus: Prometheus;
  const services: Service[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    provider = await startOidcProvider({ audience: AUDIENCE, clients: [scraper] });
    const keyed = await startService({
      env: {
        DATABASE_URL: database.url,
        API_KEYS: JSON.stringify([{ name: 'prometheus', key: SCRAPE_KEY, scopes: ['metrics:read'] }]),
      },
    });
    const tokens = await startService({
      env: { DATABASE_URL: database.url, AUTH_ISSUER: provider.issuer, AUTH_AUDIENCE: AUDIENCE },
    });
    services.push(keyed, tokens);
    const labels = (revision: string) => ({ revision, namespace: 'usersvc-auth', service: 'usersvc' });
    prometheus = await startPrometheus([
      {
        address: `127.0.0.1:${keyed.port}`,
        labels: labels('with-api-key'),
        scrape: { job: 'api-key', authorization: { type: 'ApiKey', credentials: SCRAPE_KEY } },
      },
      {
        address: `127.0.0.1:${tokens.port}`,
        labels: labels('with-oauth2'),
        scrape: {
          job: 'oauth2',
          oauth2: {
            client_id: scraper.client_id,
            client_secret: scraper.client_secret,
            token_url: `${provider.issuer}/token`,
            scopes: ['metrics:read'],
          },
        },
      },
      { address: `127.0.0.1:${keyed.port}`, labels: labels('without-credentials'), scrape: { job: 'anonymous' } },
    ]);
    await prometheus.waitForTargets(2, 60_000);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await provider?.close();
    await database?.drop();
  });

  it('scrapes with a metrics:read API key and with a client-credentials token, and logs each scraper', async () => {
    const up = await prometheus.query('up');
    const state = Object.fromEntries(up.map((r) => [r.metric.job, r.value[1]]));
    expect(state).toEqual({ 'api-key': '1', oauth2: '1', anonymous: '0' });
    const series = await prometheus.query('count by (job) (http_requests_in_flight)');
    expect(series.map((r) => r.metric.job).sort()).toEqual(['api-key', 'oauth2']);

    const [keyed, tokens] = services as [Service, Service];
    const scrapes = (service: Service) =>
      service.logs.filter(
        (line) => (line.httpRequest as { requestUrl?: string } | undefined)?.requestUrl === '/metrics',
      );
    expect(scrapes(keyed).some((line) => line.principal === 'api-key:prometheus')).toBe(true);
    expect(scrapes(keyed).some((line) => (line.httpRequest as { status: number }).status === 401)).toBe(true);
    expect(scrapes(tokens).some((line) => line.principal === 'bearer:prometheus')).toBe(true);
  });
});
