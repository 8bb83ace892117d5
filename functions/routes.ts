// Every route the service has: method, path template, handler. The router and the targets are built from it.
import type { Route } from '../shared/http/types';
import { openApi } from './openapi';
import { health } from './probes/health';
import { metrics } from './probes/metrics';
import { ready } from './probes/ready';
import { createUser } from './users/create';
import { deleteUser } from './users/delete';
import { getUserById } from './users/get-by-id';
import { getUserByUsername } from './users/get-by-username';
import { listUsersHandler } from './users/list';
import { patchUser } from './users/patch';

export const routes = {
  health: { method: 'GET', path: '/health', handler: health, public: true },
  ready: { method: 'GET', path: '/ready', handler: ready, public: true },
  openApi: { method: 'GET', path: '/openapi.json', handler: openApi, public: true },
  metrics: { method: 'GET', path: '/metrics', handler: metrics },
  listUsers: { method: 'GET', path: '/api/v1/users', handler: listUsersHandler },
  createUser: { method: 'POST', path: '/api/v1/users', handler: createUser },
  getUserById: { method: 'GET', path: '/api/v1/users/id/:id', handler: getUserById },
  getUserByUsername: { method: 'GET', path: '/api/v1/users/username/:username', handler: getUserByUsername },
  patchUser: { method: 'PATCH', path: '/api/v1/users/id/:id', handler: patchUser },
  deleteUser: { method: 'DELETE', path: '/api/v1/users/id/:id', handler: deleteUser },
} as const satisfies Record<string, Route>;

export type TargetName = keyof typeof routes;
