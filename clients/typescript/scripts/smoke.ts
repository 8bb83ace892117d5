// The typed smoke test: every operation of the OpenAPI document, called through the client (clients/typescript)
// against a running instance; what it creates it deletes, pass or fail. Exits non-zero on the first failure.
//   npm run smoke -- URL [API_KEY]          (API_KEY may also come from the environment)
import { createUsersClient, ProblemError, type ProblemCode, type UsersClient } from '../src';

type Log = (line: string) => void;

/** Runs the checks; resolves with how many passed, rejects on the first failure (after cleaning up). */
export async function runSmoke(baseUrl: string, apiKey: string | undefined, log: Log = console.log): Promise<number> {
  const run = `smoke${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const client: UsersClient = createUsersClient({ baseUrl, apiKey, requestId: () => run });
  const called = new Set<string>();
  let passed = 0;
  const check = async <T>(what: string, operationId: string, step: () => Promise<T>): Promise<T> => {
    called.add(operationId);
    const result = await step().catch((error: unknown) => {
      throw new Error(`FAIL ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    passed++;
    log(`ok   ${what}`);
    return result;
  };
  const refused = async (what: string, operationId: string, code: ProblemCode, step: () => Promise<unknown>) =>
    check(what, operationId, async () => {
      const outcome = await step().then(
        () => 'succeeded',
        (error: unknown) => (error instanceof ProblemError ? error.code : String(error)),
      );
      if (outcome !== code) throw new Error(`expected ${code}, got ${outcome}`);
    });
  const assert = (condition: boolean, message: string) => {
    if (!condition) throw new Error(message);
  };

  let createdId: string | undefined;
  try {
    await check('liveness', 'health', async () => assert((await client.health()).status === 'ok', 'not ok'));
    await check('readiness', 'ready', async () => assert((await client.ready()).status === 'ready', 'not ready'));
    const document = (await check('OpenAPI document', 'openApi', () => client.openApi())) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    await check('metrics', 'metrics', async () => assert((await client.metrics()).includes('# TYPE'), 'no metrics'));
    const page = await check('list users', 'listUsers', () => client.listUsers({ limit: 2 }));
    if (page.next_cursor) {
      const cursor = page.next_cursor;
      await check('list users, next page', 'listUsers', () => client.listUsers({ limit: 2, cursor }));
    }
    const created = await check('create user', 'createUser', () =>
      client.createUser({ username: run, email: `${run}@example.com`, full_name: 'Smoke Test' }),
    );
    createdId = created.id;
    const id = created.id;
    await check('get by id', 'getUserById', async () => assert((await client.getUserById(id)).username === run, id));
    await check('get by username', 'getUserByUsername', async () =>
      assert((await client.getUserByUsername(run.toUpperCase())).id === id, 'another user'),
    );
    await check('patch user', 'patchUser', async () =>
      assert((await client.patchUser(id, { full_name: 'Smoke Test Patched' })).full_name === 'Smoke Test Patched', id),
    );
    await refused('duplicate username', 'createUser', 'USER_CONFLICT', () =>
      client.createUser({ username: run, email: `other${run}@example.com`, full_name: 'Smoke Test' }),
    );
    await refused('invalid username', 'createUser', 'VALIDATION_FAILED', () =>
      client.createUser({ username: 'test_user!', email: 'x@example.com', full_name: 'Bad Name' }),
    );
    await refused('invalid id', 'getUserById', 'VALIDATION_FAILED', () => client.getUserById('not-a-uuid'));
    await check('delete user', 'deleteUser', () => client.deleteUser(id));
    createdId = undefined;
    await refused('deleted user is gone', 'getUserById', 'USER_NOT_FOUND', () => client.getUserById(id));
    await check('delete is idempotent', 'deleteUser', () => client.deleteUser(id));

    const operations = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    const missed = operations.filter((operationId) => !called.has(operationId));
    await check('every operation of the document exercised', 'openApi', async () =>
      assert(missed.length === 0, `not exercised: ${missed.join(', ')}`),
    );
  } finally {
    if (createdId) await client.deleteUser(createdId).catch(() => undefined);
  }
  return passed;
}

if (require.main === module) {
  const [url, key = process.env.API_KEY || undefined] = process.argv.slice(2);
  if (!url) {
    process.stderr.write('usage: npm run smoke -- URL [API_KEY]\n');
    process.exit(2);
  }
  const base = url.replace(/\/+$/, '');
  runSmoke(base, key).then(
    (passed) => console.log(`smoke: ${passed} passed, 0 failed against ${base}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
