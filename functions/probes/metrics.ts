// GET /metrics : Prometheus exposition of the app's metrics. Not public: behind X-API-Key like the API.
import { EXPOSITION_CONTENT_TYPE } from '../../shared/metrics';
import type { Handler } from '../../shared/http/types';

export const metrics: Handler = async (_request, { metrics }) => ({
  status: 200,
  // The pipeline sends a string body as is and appends "; charset=utf-8" to the content type.
  body: await metrics.exposition(),
  contentType: EXPOSITION_CONTENT_TYPE,
  headers: { 'Cache-Control': 'no-store' },
});
