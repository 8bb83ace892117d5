// GET /docs and its assets over HTTP (the browser test is docs-page.test.ts): public when API keys are on, served
// only from the allow-list, revalidated with ETags, gzipped when asked, outside the OpenAPI document, and read from
// disk only once the page is first asked for.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadedDocsFiles } from '../../functions/docs/assets';
import { acceptsGzip } from '../../functions/docs/handlers';
import { noneMatchHits } from '../../shared/http/preconditions';
import { useApp } from '../support/app';
import { call } from '../support/http';

const KEY = 'docs-key-0123456789abcdef';
const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET that leaves the body as sent (fetch would decompress it and pick its own Accept-Encoding). */
function rawGet(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the /docs page before anyone opens it', () => {
  const service = useApp({ env: { API_KEY: KEY } });

  it('holds none of its files: API requests and the document leave them unread', async () => {
    expect((await call(service.url, 'GET', '/api/v1/users', { headers: { 'x-api-key': KEY } })).status).toBe(200);
    expect((await call(service.url, 'GET', '/openapi.json')).status).toBe(200);
    expect(loadedDocsFiles()).toEqual([]);
    expect((await rawGet(`${service.url}/docs`)).status).toBe(200);
    expect(loadedDocsFiles()).toEqual(['/docs']);
  });
});

describe('GET /docs', () => {
  const service = useApp({ env: { API_KEY: KEY } });

  it('serves the page without a key, relative URLs only, under a policy that allows this origin alone', async () => {
    const page = await rawGet(`${service.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = page.body.toString('utf8');
    expect(html).toContain('<script src="docs/swagger-ui-bundle.js"></script>');
    expect(html).not.toContain('//'); // no absolute or protocol-relative URL: nothing from elsewhere
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves every asset the page names, byte for byte, with a content type', async () => {
    const html = (await rawGet(`${service.url}/docs`)).body.toString('utf8');
    const named = [...html.matchAll(/(?:src|href)="docs\/([^"]+)"/g)].map(([, name]) => name as string);
    expect(named.sort()).toEqual(
      ['favicon-16x16.png', 'favicon-32x32.png', 'init.js', 'swagger-ui-bundle.js', 'swagger-ui.css'].sort(),
    );
    for (const name of named) {
      const asset = await rawGet(`${service.url}/docs/${name}`);
      expect([name, asset.status]).toEqual([name, 200]);
      expect(asset.headers['content-type']).toMatch(/^(text\/javascript|text\/css|image\/png)/);
      if (name !== 'init.js') expect(asset.body.equals(readFileSync(path.join(SWAGGER_UI, name)))).toBe(true);
    }
    const png = await rawGet(`${service.url}/docs/favicon-32x32.png`);
    expect(png.headers['content-type']).toBe('image/png'); // bytes, no charset
    expect(Number(png.headers['content-length'])).toBe(png.body.length);
  });

  it('answers If-None-Match with 304 and no body, and a changed tag with the file', async () => {
    for (const target of ['/docs', '/docs/swagger-ui.css', '/docs/favicon-16x16.png']) {
      const first = await rawGet(`${service.url}${target}`);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(first.headers['cache-control']).toBe('no-cache');
      const again = await rawGet(`${service.url}${target}`, { 'If-None-Match': etag });
      expect([target, again.status, again.body.length]).toEqual([target, 304, 0]);
      expect(again.headers.etag).toBe(etag);
      const weak = await rawGet(`${service.url}${target}`, { 'If-None-Match': `"other", W/${etag}` });
      expect(weak.status).toBe(304);
      const changed = await rawGet(`${service.url}${target}`, { 'If-None-Match': '"something-else"' });
      expect(changed.status).toBe(200);
      expect(changed.body.length).toBeGreaterThan(0);
    }
  });

  it('gzips the bundle for clients that accept it, under its own ETag', async () => {
    const plain = await rawGet(`${service.url}/docs/swagger-ui-bundle.js`);
    const gzipped = await rawGet(`${service.url}/docs/swagger-ui-bundle.js`, { 'Accept-Encoding': 'br, gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    expect(gzipped.headers.etag).not.toBe(plain.headers.etag);
    const revalidated = await rawGet(`${service.url}/docs/swagger-ui-bundle.js`, {
      'Accept-Encoding': 'gzip',
      'If-None-Match': gzipped.headers.etag as string,
    });
    expect(revalidated.status).toBe(304);
  });

  it('serves nothing outside its allow-list, whatever the name', async () => {
    for (const name of ['index.html', 'package.json', '..%2Fpackage.json', '..%2F..%2Fpackage.json', 'init.js%00']) {
      const reply = await call(service.url, 'GET', `/docs/${name}`);
      expect([name, reply.status, reply.body?.code]).toEqual([name, 404, 'ROUTE_NOT_FOUND']);
    }
    // Not routes at all: as for any unknown path, the key comes first.
    for (const other of ['/docs/', '/docs/init.js/x']) {
      expect((await call(service.url, 'GET', other)).status).toBe(401);
      expect((await call(service.url, 'GET', other, { headers: { 'x-api-key': KEY } })).status).toBe(404);
    }
  });

  it('answers HEAD with the headers alone and other methods with 405', async () => {
    const head = await rawGet(`${service.url}/docs/swagger-ui.css`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100_000);
    const post = await call(service.url, 'POST', '/docs', { headers: { 'x-api-key': KEY } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('is not part of the OpenAPI document', async () => {
    const document = (await call<{ paths: Record<string, unknown> }>(service.url, 'GET', '/openapi.json')).body;
    expect(Object.keys(document.paths).filter((p) => p.startsWith('/docs'))).toEqual([]);
  });
});

describe('the /docs caching rules', () => {
  it('reads Accept-Encoding as RFC 9110 does', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*, gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  it('compares If-None-Match weakly', () => {
    expect(noneMatchHits('"a"', '"a"')).toBe(true);
    expect(noneMatchHits('W/"a"', '"a"')).toBe(true);
    expect(noneMatchHits('"b", "a"', '"a"')).toBe(true);
    expect(noneMatchHits('*', '"a"')).toBe(true);
    expect(noneMatchHits('"b"', '"a"')).toBe(false);
    expect(noneMatchHits(undefined, '"a"')).toBe(false);
  });
});
