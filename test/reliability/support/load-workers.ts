// Workers for the load-without-loss test: each loops creates, deletes, patches and reads on a small shared set of
// usernames until a deadline, and books every acknowledged create (201) and delete (204) in a shared Ledger.
import type http from 'node:http';
import { send, type Outcome } from './raw-http';
import type { Ledger } from './users-ledger';

export type Operation = 'create' | 'delete-own' | 'delete-other' | 'get-id' | 'get-username' | 'patch' | 'list';

/** The statuses each operation may get while others race it; anything else is a failure. */
export const ALLOWED: Record<Operation, readonly number[]> = {
  create: [201, 409], // 409: another worker holds the username (or its email) right now
  'delete-own': [204],
  'delete-other': [204], // idempotent: 204 whether or not the row was still there
  'get-id': [200, 404],
  'get-username': [200, 404],
  patch: [200, 404], // 404: another worker deleted it first
  list: [200],
};

// Cumulative weights: creates and deletes dominate so that the 20 usernames keep changing hands.
const MIX: [number, Operation][] = [
  [0.38, 'create'],
  [0.6, 'delete-own'],
  [0.67, 'delete-other'],
  [0.76, 'get-id'],
  [0.84, 'get-username'],
  [0.92, 'patch'],
  [1, 'list'],
];

export interface LoadRun {
  baseUrl: string;
  apiKey: string;
  usernames: readonly string[];
  deadline: number;
  agent: http.Agent;
  ledger: Ledger;
  /** Every id a 201 returned, in order; what delete-other and get-id pick from. */
  createdIds: string[];
  counts: Map<string, number>;
  /** Answers outside ALLOWED, with what was asked. */
  unexpected: string[];
}

const any = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

function chooseOperation(): Operation {
  const roll = Math.random();
  for (const [upTo, operation] of MIX) if (roll < upTo) return operation;
  return 'list';
}

async function request(run: LoadRun, method: string, path: string, body?: unknown): Promise<Outcome> {
  const headers: Record<string, string> = { 'x-api-key': run.apiKey };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return send(
    run.baseUrl,
    { method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) },
    run.agent,
  );
}

/** One worker's loop; `owned` holds the ids it created and has not deleted yet. */
export async function runWorker(run: LoadRun, worker: number): Promise<void> {
  const owned: string[] = [];
  let sequence = 0;
  while (Date.now() < run.deadline) {
    let operation = chooseOperation();
    if ((operation === 'delete-own' || operation === 'patch') && owned.length === 0) operation = 'create';
    let method = 'GET';
    let path = '/api/v1/users?limit=50';
    let body: unknown;
    let id: string | undefined;
    switch (operation) {
      case 'create': {
        const username = any(run.usernames) as string;
        method = 'POST';
        path = '/api/v1/users';
        body = { username, email: `${username}@example.com`, full_name: `Worker ${worker}` };
        break;
      }
      case 'delete-own':
        id = owned.splice(Math.floor(Math.random() * owned.length), 1)[0];
        method = 'DELETE';
        path = `/api/v1/users/id/${id}`;
        break;
      case 'delete-other':
        id = any(run.createdIds) ?? '00000000-0000-4000-8000-000000000000';
        method = 'DELETE';
        path = `/api/v1/users/id/${id}`;
        break;
      case 'get-id':
        path = `/api/v1/users/id/${any(run.createdIds) ?? '00000000-0000-4000-8000-000000000000'}`;
        break;
      case 'get-username':
        path = `/api/v1/users/username/${any(run.usernames) as string}`;
        break;
      case 'patch':
        method = 'PATCH';
        path = `/api/v1/users/id/${any(owned) as string}`;
        body = { full_name: `Worker ${worker} Edit ${(sequence += 1)}` };
        break;
      case 'list':
        break;
    }

    const outcome = await request(run, method, path, body);
    const status = outcome.kind === 'reply' ? outcome.reply.status : 0;
    const key = `${operation} ${status || 'no-reply'}`;
    run.counts.set(key, (run.counts.get(key) ?? 0) + 1);
    if (!ALLOWED[operation].includes(status)) {
      const answer = outcome.kind === 'reply' ? outcome.reply.text.slice(0, 300) : outcome.error;
      run.unexpected.push(`${method} ${path} -> ${status || 'no reply'} ${answer}`);
      continue;
    }
    if (operation === 'create' && status === 201 && outcome.kind === 'reply') {
      const created = (JSON.parse(outcome.reply.text) as { id: string }).id;
      run.ledger.acknowledgeCreate(created);
      run.createdIds.push(created);
      owned.push(created);
    }
    if (id !== undefined && status === 204) run.ledger.acknowledgeDelete(id);
  }
}
