// GET /docs and GET /docs/:asset : the interactive API reference, public like /openapi.json. Every response carries
// an ETag and is revalidated on each use (Cache-Control: no-cache), so a reload costs a 304 and an upgrade of
// swagger-ui-dist is picked up at once; text is gzipped for clients that accept it.
import { errors } from '../../shared/errors';
import { noneMatchHits } from '../../shared/http/preconditions';
import type { ApiRequest, ApiResponse, Handler } from '../../shared/http/types';
import { isAssetName, loadAsset, loadPage, type Asset } from './assets';
import { PAGE_SECURITY_POLICY } from './page';

/** Whether Accept-Encoding allows gzip: listed (or `*`) with a non-zero q. */
export function acceptsGzip(header: string | undefined): boolean {
  let gzip: boolean | undefined;
  let any = false;
  for (const part of (header ?? '').split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (coding.trim() === 'gzip' || coding.trim() === 'x-gzip') gzip = allowed;
    else if (coding.trim() === '*') any = allowed;
  }
  return gzip ?? any;
}

function serve(request: ApiRequest, asset: Asset, extraHeaders: Record<string, string> = {}): ApiResponse {
  const encoding = request.headers['accept-encoding'];
  const gzipped =
    asset.gzipped && acceptsGzip(Array.isArray(encoding) ? encoding.join(',') : encoding) ? asset.gzipped : undefined;
  const representation = gzipped ?? asset;
  const headers: Record<string, string> = {
    ETag: representation.etag,
    'Cache-Control': 'no-cache',
    ...(asset.gzipped ? { Vary: 'Accept-Encoding' } : {}),
    ...extraHeaders,
  };
  if (noneMatchHits(request.headers['if-none-match'], representation.etag)) return { status: 304, headers };
  if (gzipped) headers['Content-Encoding'] = 'gzip';
  return { status: 200, body: representation.body, contentType: asset.contentType, headers };
}

export const docsPage: Handler = async (request) =>
  serve(request, await loadPage(), {
    'Content-Security-Policy': PAGE_SECURITY_POLICY,
    'Referrer-Policy': 'no-referrer',
  });

export const docsAsset: Handler = async (request) => {
  const name = request.params.asset ?? '';
  if (!isAssetName(name)) throw errors.routeNotFound(request.path);
  return serve(request, await loadAsset(name));
};
