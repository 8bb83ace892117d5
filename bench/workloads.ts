// The request mixes the bench drives: each workload yields the next request to send, fresh per request.
import type { Request as CannonRequest } from 'autocannon';
import { seedUsername } from './database';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** A JSON body; sent with Content-Type: application/json. */
  body?: string;
}

export interface Workload {
  name: string;
  description: string;
  /** Statuses that count as success; autocannon counts any non-2xx as an error either way. */
  expect: number[];
  /** Whether it creates or updates rows; the bench restores the seeded table after such a cell. */
  writes?: boolean;
  next(): RequestSpec;
}

export interface WorkloadData {
  /** Ids of seeded users (existing for the whole run: the bench never deletes). */
  ids: string[];
  seedRows: number;
  /** A cursor from the middle of the seeded rows. */
  cursor: string;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

// Shared by every create request in this process, so usernames stay unique across cells and targets.
let created = 0;

export function createWorkloads(data: WorkloadData): Workload[] {
  const randomSeed = () => 1 + Math.floor(Math.random() * data.seedRows);
  const getById: Workload = {
    name: 'getById',
    description: 'GET /api/v1/users/id/:id (random existing id)',
    expect: [200],
    next: () => ({ method: 'GET', path: `/api/v1/users/id/${pick(data.ids)}` }),
  };
  const getByUsername: Workload = {
    name: 'getByUsername',
    description: 'GET /api/v1/users/username/:username (random existing)',
    expect: [200],
    next: () => ({ method: 'GET', path: `/api/v1/users/username/${seedUsername(randomSeed())}` }),
  };
  const listFirst: Workload = {
    name: 'listFirst',
    description: 'GET /api/v1/users?limit=50 (first page)',
    expect: [200],
    next: () => ({ method: 'GET', path: '/api/v1/users?limit=50' }),
  };
  const listCursor: Workload = {
    name: 'listCursor',
    description: 'GET /api/v1/users?limit=50&cursor= (a page mid-table)',
    expect: [200],
    next: () => ({ method: 'GET', path: `/api/v1/users?limit=50&cursor=${data.cursor}` }),
  };
  const create: Workload = {
    name: 'create',
    description: 'POST /api/v1/users (unique username per request)',
    expect: [201],
    writes: true,
    next: () => {
      const n = ++created;
      return {
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({ username: `bench${n}`, email: `bench${n}@bench.example`, full_name: 'Bench User' }),
      };
    },
  };
  const patch: Workload = {
    name: 'patch',
    description: 'PATCH /api/v1/users/id/:id (random existing id, new full_name)',
    expect: [200],
    writes: true,
    next: () => ({
      method: 'PATCH',
      path: `/api/v1/users/id/${pick(data.ids)}`,
      body: JSON.stringify({ full_name: `Patched Name ${Math.floor(Math.random() * 1e6)}` }),
    }),
  };
  // 80% reads, 20% writes.
  const mixTable: [number, Workload][] = [
    [0.4, getById],
    [0.2, getByUsername],
    [0.2, listFirst],
    [0.1, create],
    [0.1, patch],
  ];
  const mix: Workload = {
    name: 'mix',
    description: '40% by id, 20% by username, 20% list, 10% create, 10% patch',
    expect: [200, 201],
    writes: true,
    next: () => {
      let roll = Math.random();
      for (const [share, workload] of mixTable) {
        if (roll < share) return workload.next();
        roll -= share;
      }
      return getById.next();
    },
  };
  return [getById, getByUsername, listFirst, listCursor, create, patch, mix];
}

export function workloadNamed(workloads: readonly Workload[], name: string): Workload {
  const found = workloads.find((workload) => workload.name === name);
  if (!found) throw new Error(`no workload named ${name}`);
  return found;
}

/** autocannon's request list for a workload: one entry whose setupRequest builds each request afresh. */
export function cannonRequests(workload: Workload): CannonRequest[] {
  return [
    {
      setupRequest: (request) => {
        const spec = workload.next();
        return {
          ...request,
          method: spec.method,
          path: spec.path,
          body: spec.body,
          headers: spec.body ? { ...request.headers, 'content-type': 'application/json' } : request.headers,
        };
      },
    },
  ];
}
