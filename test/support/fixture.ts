// Jest fixture: the production entrypoint on a fresh database, started before a describe's tests and stopped after.
import { createTestDatabase, type Backend, type TestDatabase } from './database';
import { startService, type Service } from './service';

export interface RunningService {
  service: Service;
  db: TestDatabase;
}

/** Registers beforeAll/afterAll for the enclosing describe; the returned object is filled in before the tests run. */
export function useServiceOn(backend: Backend, env: Record<string, string | undefined> = {}): RunningService {
  const running = {} as RunningService;
  beforeAll(async () => {
    running.db = await createTestDatabase(backend);
    running.service = await startService({ env: { ...running.db.env, ...env } });
  });
  afterAll(async () => {
    await running.service?.stop();
    await running.db?.drop();
  });
  return running;
}
