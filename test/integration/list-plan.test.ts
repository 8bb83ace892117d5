// The keyset listing is served by the (created_at, id) index with no sort, so a deep page costs what the first does.
import { createPostgresDatabase, type TestDatabase } from '../support/database';
import { planOf as explain } from '../support/plans';
import { statements } from '../../shared/users/repository';

const describeOnPostgres = process.env.DATABASE_URL ? describe : describe.skip;

describeOnPostgres('list query plans on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createPostgresDatabase();
    await db.query(`INSERT INTO users (id, username, email, full_name)
      SELECT gen_random_uuid(), 'plan' || n, 'plan' || n || '@example.com', 'Plan Row' FROM generate_series(1, 2000) n`);
    await db.query('ANALYZE users');
  });
  afterAll(async () => {
    await db?.drop();
  });

  const planOf = (text: string, values: unknown[]) => explain(db, text, values);

  it('reads the first page from the (created_at, id) index without sorting', async () => {
    const plan = await planOf(statements.listFirst.text, [51]);
    expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(plan.some((n) => n['Index Name'] === 'users_created_at_id_idx')).toBe(true);
  });

  it('reads a cursor page from the same index without sorting', async () => {
    const plan = await planOf(statements.listAfter.text, [
      '2026-01-01T00:00:00.000000Z',
      '00000000-0000-4000-8000-000000000000',
      51,
    ]);
    expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(plan.some((n) => n['Index Name'] === 'users_created_at_id_idx')).toBe(true);
  });
});
