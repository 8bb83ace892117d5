// /docs in a real browser: Debian's Chromium driven by playwright-core opens the page, finds every operation of the
// document, enters the API key, runs "list users" from the page against the running service, and takes a screenshot
// (test/output/docs-<backend>.png). No console error, and no request to anything but the service on 127.0.0.1.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { seedDemoUsers } from '../../shared/db/seed';
import { startTokenIssuer, TEST_AUDIENCE, type TokenIssuer } from '../../scripts/token-issuer';
import { startApp, useApp, type TestApp } from '../support/app';
import { backends } from '../support/database';
import { call } from '../support/http';
import { ROOT } from '../support/service';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = path.join(ROOT, 'test/output');
const KEY = 'docs-page-key-0123456789';
// Without the background-networking flags Chromium phones home (updates, sync, field trials) and, with no egress,
// its connections are refused; --headless here and Playwright's own headless mode agree.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Document {
  paths: Record<string, Record<string, { operationId: string; tags: string[] }>>;
}

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  process.stderr.write(`docs-page.test.ts: SKIPPED, no ${CHROMIUM} (apt-get install -y chromium; .ci/run does)\n`);
}

let context: BrowserContext | undefined;
let profile: string | undefined;

if (haveChromium) {
  // One browser for the file, on a fresh profile; a page per backend.
  beforeAll(async () => {
    profile = mkdtempSync(path.join(tmpdir(), 'usersvc-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 1400 },
    });
    mkdirSync(OUTPUT, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
}

/** Opens `url` in a new page, recording every request, console error and page error along the way. */
async function openPage(url: string) {
  if (!context) throw new Error('no browser');
  const page: Page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, requests, problems };
}

/** Types `credential` into Authorize as a person would, then opens "list users", Try it out, Execute. */
async function authorizeAndListUsers(page: Page, credential: string) {
  await page.locator('.btn.authorize').click();
  await page.locator('.modal-ux input').fill(credential);
  await page.locator('.modal-ux .auth-btn-wrapper .authorize').click();
  await page.locator('.modal-ux .btn-done').click();
  const operation = page.locator('#operations-users-listUsers');
  await operation.locator('.opblock-summary').click();
  await operation.locator('.try-out__btn').click();
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/users'),
    operation.locator('.execute').click(),
  ]);
  return { operation, response };
}

(haveChromium ? describe : describe.skip).each(backends)('the /docs page in Chromium (%s)', (backend) => {
  const service = useApp({ backend, env: { API_KEY: KEY } });
  let page: Page | undefined;

  beforeAll(async () => {
    // The embedded default seeds the demo users itself; a fresh PostgreSQL database gets them as `npm run db:seed`.
    if (backend === 'postgres') await seedDemoUsers(service.app.context.db);
  });
  afterAll(async () => {
    await page?.close();
  });

  it('lists every operation, runs "list users" with the key entered, and talks to 127.0.0.1 alone', async () => {
    const opened = await openPage(`${service.url}/docs`);
    const { requests, problems } = opened;
    page = opened.page;
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });

    // Every operation of the document, by its operationId, method and path.
    const document = (await call<Document>(service.url, 'GET', '/openapi.json')).body;
    const expected = Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.entries(methods).map(([method, op]) => `${op.operationId} ${method.toUpperCase()} ${route}`),
    );
    const listed = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((block) => {
        const id = block.id.split('-').pop();
        const method = block.querySelector('.opblock-summary-method')?.textContent;
        return `${id} ${method} ${block.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`;
      }),
    );
    expect(listed.sort()).toEqual(expected.sort());

    // The key goes into Swagger UI's dialog, then "list users" runs: the request really goes to the service.
    const { operation, response } = await authorizeAndListUsers(page, KEY);
    expect(response.status()).toBe(200);
    expect(await response.request().headerValue('x-api-key')).toBe(KEY);
    const shown = operation.locator('.live-responses-table .response');
    await shown.locator('.response-col_status').first().waitFor();
    expect((await shown.locator('.response-col_status').first().textContent())?.trim()).toBe('200');
    const body = (await shown.locator('.response-col_description pre').first().textContent()) ?? '';
    for (const username of ['jdoe', 'asmith', 'bjones']) expect(body).toContain(`"username": "${username}"`);

    // The operation at the top of the window: its parameters, the request sent and the 200 with the users.
    await operation.evaluate((element) => element.scrollIntoView());
    await page.screenshot({ path: path.join(OUTPUT, `docs-${backend}.png`) });

    expect(problems).toEqual([]);
    const elsewhere = requests.filter((url) => {
      const { protocol, hostname } = new URL(url);
      return !['data:', 'blob:'].includes(protocol) && hostname !== '127.0.0.1';
    });
    expect(elsewhere).toEqual([]);
    const port = new URL(service.url).port;
    expect(requests.filter((url) => new URL(url).port !== port && url.startsWith('http'))).toEqual([]);
    expect(requests.map((url) => new URL(url).pathname)).toEqual(
      expect.arrayContaining(['/docs', '/docs/swagger-ui-bundle.js', '/openapi.json', '/api/v1/users']),
    );
  }, 120_000);
});

(haveChromium ? describe : describe.skip)('the /docs page with bearer tokens on', () => {
  let issuer: TokenIssuer | undefined;
  let service: TestApp | undefined;
  beforeAll(async () => {
    issuer = await startTokenIssuer('RS256');
    service = await startApp({ env: { AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: TEST_AUDIENCE } });
  });
  afterAll(async () => {
    await service?.close();
    await issuer?.close();
  });

  it('takes a token in Authorize and sends it as Authorization: Bearer', async () => {
    if (!service || !issuer) throw new Error('not started');
    const token = await issuer.mint({ scope: 'users:read' });
    const { page, problems } = await openPage(`${service.url}/docs`);
    try {
      await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
      const { response } = await authorizeAndListUsers(page, token);
      expect(response.status()).toBe(200);
      expect(await response.request().headerValue('authorization')).toBe(`Bearer ${token}`);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});

if (!haveChromium) {
  describe('the /docs page in Chromium', () => {
    it.skip(`is skipped: no ${CHROMIUM} (apt-get install -y chromium)`, () => undefined);
  });
}
