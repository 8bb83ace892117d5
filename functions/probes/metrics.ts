// GET /metrics : Prometheus exposition of the process's metrics. Not public: behind X-API-Key like the API.
import { EXPOSITION_CONTENT_TYPE, exposition } from '../../shared/metrics';
import type { Handler } from '../../shared/http/types';

export const metrics: Handler = async () => {
  // The pipeline sends a string body as is and appends "; charset=utf-8" to the content type.
  return {
    status: 200,
    body: await exposition(),
    contentType: EXPOSITION_CONTENT_TYPE,
    headers: { 'Cache-Control': 'no-store' },
  };
};
