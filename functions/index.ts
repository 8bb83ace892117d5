// Functions Framework registrations: `api` (the router) and each endpoint as its own target, e.g.
// `npx functions-framework --target=createUser` serves POST /api/v1/users alone.
import { http } from '@google-cloud/functions-framework';
import { targets } from './targets';

for (const [name, fn] of Object.entries(targets)) http(name, fn);
