// The `api` target that Knative serves: dispatches every route in one function (one framework wrap per request).
import { servePipeline } from '../shared/http/pipeline';
import { routes } from './routes';

export const api = servePipeline(Object.values(routes));
