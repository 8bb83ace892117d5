// Functions Framework registrations: `api` (the router) and each endpoint as its own target, e.g.
// `npx functions-framework --target=createUser` serves POST /api/v1/users alone.
import { http } from '@google-cloud/functions-framework';
import { servePipeline } from '../shared/http/pipeline';
import { api } from './router';
import { routes } from './routes';

http('api', api);
for (const [target, route] of Object.entries(routes)) {
  http(target, servePipeline([route]));
}
