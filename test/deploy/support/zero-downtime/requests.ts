// What each operation of the drain tests' load sends, the status it expects, and how its body is checked; creates and
// patches also say which user the API acknowledged, for the table-versus-acknowledged check (acknowledged.ts).

export type OperationName = 'get' | 'list' | 'create' | 'patch';

/** The user a 201 create or a 200 patch answered with: what the table must hold for it from then on. */
export interface AcknowledgedUser {
  id: string;
  username: string;
  email: string;
  full_name: string;
}

export interface Planned {
  operation: OperationName;
  method: string;
  path: string;
  body?: string;
  expected: number;
  /** Whether a parsed body is the right answer to this request. */
  check(body: unknown): boolean;
}

const pickOne = (ids: readonly string[]) => ids[Math.floor(Math.random() * ids.length)] ?? '';

/** The user in a create's or a patch's answer, when it has every field the table check compares. */
export function acknowledgedUser(body: unknown): AcknowledgedUser | undefined {
  const { id, username, email, full_name } = (body ?? {}) as Partial<Record<keyof AcknowledgedUser, unknown>>;
  if (typeof id !== 'string' || typeof username !== 'string' || typeof email !== 'string') return undefined;
  if (typeof full_name !== 'string') return undefined;
  return { id, username, email, full_name };
}

/**
 * One request. `userIds` are the seed users that gets read; `ownIds` the users this worker created, the only ones it
 * patches, so that a user's patches come one after another and the last one acknowledged is what the table holds.
 * A patch before the worker has created anything is a get.
 */
export function plan(
  operation: OperationName,
  userIds: readonly string[],
  ownIds: readonly string[],
  unique: string,
): Planned {
  switch (operation) {
    case 'get': {
      const id = pickOne(userIds);
      return {
        operation,
        method: 'GET',
        path: `/api/v1/users/id/${id}`,
        expected: 200,
        check: (body) => (body as { id?: string } | undefined)?.id === id,
      };
    }
    case 'list':
      return {
        operation,
        method: 'GET',
        path: '/api/v1/users?limit=5',
        expected: 200,
        check: (body) => Array.isArray((body as { data?: unknown } | undefined)?.data),
      };
    case 'create': {
      const username = `zd${unique}`;
      return {
        operation,
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({ username, email: `${username}@example.com`, full_name: 'Zero Downtime' }),
        expected: 201,
        check: (body) => (body as { username?: string } | undefined)?.username === username,
      };
    }
    case 'patch': {
      if (ownIds.length === 0) return plan('get', userIds, ownIds, unique);
      const id = pickOne(ownIds);
      const change = { email: `zdp${unique}@example.com`, full_name: `Patched ${unique}` };
      return {
        operation,
        method: 'PATCH',
        path: `/api/v1/users/id/${id}`,
        body: JSON.stringify(change),
        expected: 200,
        check: (body) => {
          const user = acknowledgedUser(body);
          return user?.id === id && user.email === change.email && user.full_name === change.full_name;
        },
      };
    }
  }
}
