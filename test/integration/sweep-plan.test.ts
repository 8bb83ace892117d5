// The sweep of expired Idempotency-Key records reads only expired rows, through the created_at index: on a table of
// live keys it never scans them (shared/idempotency/store.ts).
import { createPostgresDatabase, type TestDatabase } from '../support/database';
import { planOf } from '../support/plans';
import { KEY_TTL_HOURS, statements } from '../../shared/idempotency/store';

const describeOnPostgres = process.env.DATABASE_URL ? describe : describe.skip;

describeOnPostgres('the idempotency key sweep’s plan on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createPostgresDatabase();
    // 20,000 live keys from the last day and 50 expired ones.
    await db.query(`INSERT INTO idempotency_keys (scope, key, fingerprint, status, headers, body, created_at)
      SELECT 'shared', 'k' || n, 'f', 201, '{}', NULL,
             now() - CASE WHEN n <= 50 THEN interval '30 hours' ELSE (n % 1000) * interval '1 minute' END
      FROM generate_series(1, 20000) n`);
    await db.query('ANALYZE idempotency_keys');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('finds the expired rows through idempotency_keys_created_at_idx, with no sequential scan', async () => {
    const plan = await planOf(db, statements.sweep.text, [KEY_TTL_HOURS, 1000]);
    const types = plan.map((node) => node['Node Type']);
    expect(types).not.toContain('Seq Scan');
    expect(plan.some((node) => node['Index Name'] === 'idempotency_keys_created_at_idx')).toBe(true);
  });

  it('deletes exactly the expired rows', async () => {
    const deleted = await db.query(`${statements.sweep.text} RETURNING key`, [KEY_TTL_HOURS, 1000]);
    expect(deleted).toHaveLength(50);
    const [left] = await db.query<{ count: string }>('SELECT count(*) AS count FROM idempotency_keys');
    expect(Number(left?.count)).toBe(19_950);
  });
});
