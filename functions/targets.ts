// Every function target by name: `api` (the router Knative serves) and one per route (e.g. `createUser`).
import { servePipeline, type HttpFunction } from '../shared/http/pipeline';
import { api } from './router';
import { routes, type TargetName } from './routes';

export const targets: Record<'api' | TargetName, HttpFunction> = {
  api,
  ...(Object.fromEntries(Object.entries(routes).map(([name, route]) => [name, servePipeline([route])])) as Record<
    TargetName,
    HttpFunction
  >),
};
