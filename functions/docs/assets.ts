// The files of the /docs page: our HTML and initializer, and swagger-ui-dist's bundle, stylesheet and icons. Each is
// read, hashed (its ETag) and, if it is text, gzipped on its first request, then kept in memory for the life of the
// process. Nothing is read, and swagger-ui-dist is not even located, before the first /docs request.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { initializerScript, pageHtml } from './page';

export interface Representation {
  body: Buffer;
  etag: string;
}

export interface Asset extends Representation {
  contentType: string;
  /** The same bytes gzipped (text only), for clients that accept it. */
  gzipped?: Representation;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';

type Source = { contentType: string } & ({ fromPackage: string } | { text: () => string });

/** What /docs/:asset serves: these names and nothing else, never a path taken from the request. */
const assetSources = {
  'swagger-ui-bundle.js': { contentType: JAVASCRIPT, fromPackage: 'swagger-ui-bundle.js' },
  'swagger-ui.css': { contentType: 'text/css; charset=utf-8', fromPackage: 'swagger-ui.css' },
  'favicon-32x32.png': { contentType: 'image/png', fromPackage: 'favicon-32x32.png' },
  'favicon-16x16.png': { contentType: 'image/png', fromPackage: 'favicon-16x16.png' },
  'init.js': { contentType: JAVASCRIPT, text: initializerScript },
} satisfies Record<string, Source>;

export type AssetName = keyof typeof assetSources;
const PAGE: Source = { contentType: 'text/html; charset=utf-8', text: pageHtml };

export const isAssetName = (name: string): name is AssetName => Object.hasOwn(assetSources, name);

const gzipAsync = promisify(gzip);
const etagOf = (bytes: Buffer) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;

async function load(source: Source): Promise<Asset> {
  let body: Buffer;
  if ('text' in source) {
    body = Buffer.from(source.text(), 'utf8');
  } else {
    // Resolved here, not at import: the package stays untouched until someone opens the page.
    const dir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
    body = await readFile(path.join(dir, source.fromPackage));
  }
  const etag = etagOf(body);
  const asset: Asset = { body, etag, contentType: source.contentType };
  if (!source.contentType.startsWith('image/') && body.length > 1024) {
    // zlib runs on the libuv pool, off the event loop; once per asset per process.
    asset.gzipped = { body: await gzipAsync(body), etag: `${etag.slice(0, -1)}-gzip"` };
  }
  return asset;
}

const loaded = new Map<string, Promise<Asset>>();

function cached(key: string, source: Source): Promise<Asset> {
  let asset = loaded.get(key);
  if (!asset) {
    asset = load(source);
    loaded.set(key, asset);
    // A failed read (a broken install) is retried by the next request rather than remembered.
    asset.catch(() => loaded.delete(key));
  }
  return asset;
}

export const loadPage = () => cached('/docs', PAGE);
export const loadAsset = (name: AssetName) => cached(name, assetSources[name]);

/** The page's files held in memory so far (none until the first /docs request). */
export const loadedDocsFiles = () => [...loaded.keys()];
