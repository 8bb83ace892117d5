// Migrations never stop traffic: every file in migrations/ sets its own lock_timeout and statement_timeout and passes
// squawk (scripts/lint-migrations.ts, .squawk.toml). Bad migrations written to a temporary folder show that both
// checks really run and catch them. The last block pins what the rules rely on in node-pg-migrate: a .sql migration
// runs inside a transaction (so SET LOCAL ends with it, and CONCURRENTLY fails there), and a .js migration that calls
// pgm.noTransaction() runs outside one, which is how an index is built CONCURRENTLY on an existing table.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  LOCK_TIMEOUT_BELOW_MS,
  lintMigrations,
  migrationFiles,
  readMigration,
  squawk,
  timeoutProblems,
} from '../../scripts/lint-migrations';
import { MIGRATIONS_DIR, migrate, type MigrationTarget } from '../../shared/db/migrate';
import { createPostgresDatabase, emptyEmbeddedDatabase } from '../support/database';

const CREATE_USERS = '1764086400000_create-users.sql';
const files = migrationFiles().map((file) => [path.basename(file), file] as const);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'usersvc-migrations-lint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let written = 0;
/** A folder of its own holding the given migrations (name -> text), as migrations/ would. */
function folder(migrations: Record<string, string>, withCreateUsers = false): string {
  const dir = path.join(scratch, String(written++));
  mkdirSync(dir);
  if (withCreateUsers) copyFileSync(path.join(MIGRATIONS_DIR, CREATE_USERS), path.join(dir, CREATE_USERS));
  for (const [name, text] of Object.entries(migrations)) writeFileSync(path.join(dir, name), text);
  return dir;
}
/** One migration file in a folder of its own. */
const file = (name: string, text: string) => path.join(folder({ [name]: text }), name);
const timeouts = "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\n";

/** A .js migration: each direction calls pgm.noTransaction(), then pgm.sql() once per statement. */
const jsMigration = (up: string[], down: string[]) =>
  (['up', 'down'] as const)
    .map((direction) =>
      [
        `exports.${direction} = (pgm) => {`,
        '  pgm.noTransaction();',
        ...(direction === 'up' ? up : down).map((statement) => `  pgm.sql(${JSON.stringify(statement)});`),
        '};',
      ].join('\n'),
    )
    .join('\n');
const outside = (statement: string) => [
  "SET lock_timeout = '2s'",
  "SET statement_timeout = '30min'",
  statement,
  'RESET lock_timeout',
  'RESET statement_timeout',
];
/** An index on the existing users table built without a transaction, as RUNBOOK.md shows. */
const concurrentIndexJs = jsMigration(
  outside('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_full_name_idx ON users (full_name)'),
  outside('DROP INDEX CONCURRENTLY IF EXISTS users_full_name_idx'),
);

describe('every migration in migrations/', () => {
  it('is read: there is at least one, and each has an Up', async () => {
    expect(files.length).toBeGreaterThan(0);
    for (const [, migration] of files) {
      expect((await readMigration(migration)).map((section) => section.direction)).toContain('up');
    }
  });

  it.each(files)(
    '%s sets lock_timeout and statement_timeout at the top of each direction',
    async (_name, migration) => {
      const sections = await readMigration(migration);
      expect(sections.flatMap(timeoutProblems)).toEqual([]);
    },
  );

  it.each(files)('%s passes squawk (exit 0, no violation)', async (_name, migration) => {
    for (const section of await readMigration(migration)) {
      const result = squawk(section);
      expect(result.violations).toEqual([]);
      expect(result.status).toBe(0);
    }
  });

  it('npm run lint:migrations finds no problem', async () => {
    expect(await lintMigrations()).toEqual({ files: files.length, problems: [] });
  });
});

describe('squawk flags a migration that would lock or rewrite the busy users table', () => {
  it.each([
    ['CREATE INDEX users_email_idx ON users (email);', 'require-concurrent-index-creation'],
    ['ALTER TABLE users RENAME COLUMN full_name TO display_name;', 'renaming-column'],
    ['ALTER TABLE users ALTER COLUMN full_name SET NOT NULL;', 'adding-not-nullable-field'],
    ['ALTER TABLE users ALTER COLUMN email TYPE text;', 'changing-column-type'],
    ['ALTER TABLE users ADD CONSTRAINT users_email_unique UNIQUE (email);', 'disallowed-unique-constraint'],
    ['ALTER TABLE users DROP COLUMN full_name;', 'ban-drop-column'],
    // Fails at run time too: node-pg-migrate wraps a .sql file in a transaction (see the last block).
    ['CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', 'ban-concurrent-index-creation-in-transaction'],
  ])('%s: %s', async (statement, rule) => {
    const migration = file('1764086400001_bad.sql', `-- Up Migration\n${timeouts}${statement}\n`);
    const [up] = await readMigration(migration);
    const result = squawk(up!);
    expect(result.status).not.toBe(0);
    expect(result.violations.join('\n')).toContain(`${rule}:`);
    // Reported at the statement's own line in the file (line 4, after the marker and the two SETs).
    expect(result.violations.find((v) => v.includes(rule))).toMatch(/:4:\d+: /);
    expect((await lintMigrations(path.dirname(migration))).problems.join('\n')).toContain(rule);
  });

  it('flags a lock-taking statement with no lock_timeout before it', async () => {
    const [up] = await readMigration(file('1764086400001_bare.sql', 'ALTER TABLE users ADD COLUMN nickname text;\n'));
    expect(squawk(up!).violations.join('\n')).toMatch(/require-lock-timeout:[\s\S]*require-statement-timeout:/);
  });

  it('honours a squawk-ignore exemption, and reports one whose rule name is misspelled', async () => {
    const exempted = `-- Up Migration\n${timeouts}-- why: ...\n-- squawk-ignore renaming-column\nALTER TABLE users RENAME COLUMN a TO b;\n`;
    expect(squawk((await readMigration(file('1764086400001_x.sql', exempted)))[0]!).status).toBe(0);
    const typo = exempted.replace('renaming-column', 'renaming-colum');
    const result = squawk((await readMigration(file('1764086400001_y.sql', typo)))[0]!);
    expect(result.violations.join('\n')).toMatch(/unused-ignore: unknown name renaming-colum[\s\S]*renaming-column:/);
  });

  it('lints a .js migration that runs without a transaction as such: CONCURRENTLY passes there', async () => {
    const sections = await readMigration(file('1764086400001_users-full-name-idx.js', concurrentIndexJs));
    expect(sections.map((s) => [s.direction, s.transactional])).toEqual([
      ['up', false],
      ['down', false],
    ]);
    for (const section of sections) {
      expect(timeoutProblems(section)).toEqual([]);
      expect(squawk(section).violations).toEqual([]);
    }
    const blocking = jsMigration(outside('CREATE INDEX users_full_name_idx ON users (full_name)'), []);
    const [up] = await readMigration(file('1764086400001_blocking.js', blocking));
    expect(squawk(up!).violations.join('\n')).toContain('require-concurrent-index-creation');
  });

  it('refuses a migration node-pg-migrate could not load at run time (a .ts file)', async () => {
    const dir = folder({ '1764086400001_x.ts': 'export const up = () => undefined;\n' });
    expect((await lintMigrations(dir)).problems).toEqual([expect.stringMatching(/\.sql files, or \.js files/)]);
  });
});

describe('the timeout rule catches a migration that does not bound its waits', () => {
  const problems = async (name: string, text: string) =>
    (await readMigration(file(name, text))).flatMap(timeoutProblems).join('\n');
  const body = 'ALTER TABLE users ADD COLUMN nickname text;\n';

  it('no timeouts at all', async () => {
    const found = await problems('1764086400001_a.sql', `-- Up Migration\n${body}`);
    expect(found).toMatch(/\(up\): set lock_timeout before any other statement/);
    expect(found).toMatch(/\(up\): set statement_timeout before any other statement/);
  });

  it('timeouts set after the first statement', async () => {
    expect(await problems('1764086400001_b.sql', `-- Up Migration\n${body}${timeouts}`)).toMatch(/set lock_timeout/);
  });

  it('a plain SET in a transactional migration (it would outlive the migration on its connection)', async () => {
    const text = `-- Up Migration\nSET lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\n${body}`;
    expect(await problems('1764086400001_c.sql', text)).toMatch(/use SET LOCAL lock_timeout/);
  });

  it(`a lock_timeout of ${LOCK_TIMEOUT_BELOW_MS} ms or more, or a timeout of 0 (no limit)`, async () => {
    const long = `-- Up Migration\nSET LOCAL lock_timeout = '5s';\nSET LOCAL statement_timeout = '60s';\n${body}`;
    expect(await problems('1764086400001_d.sql', long)).toMatch(/lock_timeout = '5s' must be under 5000 ms/);
    const none = `-- Up Migration\nSET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = 0;\n${body}`;
    expect(await problems('1764086400001_e.sql', none)).toMatch(/statement_timeout = '0' sets no limit/);
  });

  it('a Down section without its own (it runs in a transaction of its own)', async () => {
    const text = `-- Up Migration\n${timeouts}${body}\n-- Down Migration\nALTER TABLE users DROP COLUMN nickname;\n`;
    const found = await problems('1764086400001_f.sql', text);
    expect(found).not.toMatch(/\(up\)/);
    expect(found).toMatch(/\(down\): set lock_timeout/);
  });

  it('outside a transaction: SET LOCAL (which does nothing there), or no RESET at the end', async () => {
    const local = jsMigration(
      [
        "SET LOCAL lock_timeout = '2s'",
        "SET LOCAL statement_timeout = '30min'",
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (full_name)',
      ],
      [],
    );
    const found = await problems('1764086400001_g.js', local);
    expect(found).toMatch(/\(up\): use SET lock_timeout \(then RESET it\)/);
    expect(found).toMatch(/\(up\): end with RESET lock_timeout;/);
  });
});

describe('how node-pg-migrate runs a migration (what the rules rely on)', () => {
  const backends: [
    string,
    () => Promise<{ target: MigrationTarget; sql: (q: string) => Promise<unknown[]>; done: () => Promise<void> }>,
  ][] = [
    [
      'PGlite',
      async () => {
        const db = await emptyEmbeddedDatabase();
        return {
          target: { pglite: db.pglite },
          sql: (q) => db.query(q),
          // A failed migration leaves PGlite's one session in the aborted transaction and holding the migration lock.
          done: async () => void (await db.pglite.exec('ROLLBACK; SELECT pg_advisory_unlock_all();')),
        };
      },
    ],
  ];
  if (process.env.DATABASE_URL) {
    backends.push([
      'PostgreSQL',
      async () => {
        const db = await createPostgresDatabase({ migrated: false });
        const others = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
        return {
          target: { databaseUrl: db.url },
          sql: (q) => db.query(q),
          // node-pg-migrate does not wait for its connection to close; dropping under it would kill it mid-close.
          done: async () => {
            for (let i = 0; i < 50 && (await db.query<{ n: number }>(others))[0]?.n; i++) {
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
            await db.drop();
          },
        };
      },
    ]);
  }

  describe.each(backends)('on %s', (_backend, open) => {
    it('a .sql migration runs in a transaction: its SET LOCAL is in force inside and gone after', async () => {
      const db = await open();
      try {
        const check = `-- Up Migration\n${timeouts}DO $$ BEGIN
  IF current_setting('lock_timeout') <> '2s' THEN RAISE EXCEPTION 'lock_timeout is %', current_setting('lock_timeout'); END IF;
  IF current_setting('statement_timeout') <> '1min' THEN RAISE EXCEPTION 'statement_timeout is %', current_setting('statement_timeout'); END IF;
END $$;\n`;
        const dir = folder({ '1764086400001_check.sql': check }, true);
        expect(await migrate(db.target, { direction: 'up', dir })).toEqual([
          '1764086400000_create-users',
          '1764086400001_check',
        ]);
        // On PGlite this session is the app's own: a plain SET would have stayed on it.
        if ('pglite' in db.target) {
          expect(
            await db.sql(`SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s`),
          ).toEqual([{ l: '0', s: '0' }]);
        }
      } finally {
        await db.done();
      }
    });

    it('CREATE INDEX CONCURRENTLY in a .sql migration fails: it cannot run inside a transaction block', async () => {
      const db = await open();
      try {
        const idx = `-- Up Migration\n${timeouts}CREATE INDEX CONCURRENTLY users_full_name_idx ON users (full_name);\n`;
        const dir = folder({ '1764086400001_idx.sql': idx }, true);
        await expect(migrate(db.target, { direction: 'up', dir })).rejects.toThrow(
          /cannot run inside a transaction block/,
        );
      } finally {
        await db.done();
      }
    });

    it('a .js migration calling pgm.noTransaction() builds it CONCURRENTLY, and its Down drops it', async () => {
      const db = await open();
      try {
        const dir = folder({ '1764086400001_users-full-name-idx.js': concurrentIndexJs }, true);
        await migrate(db.target, { direction: 'up', dir });
        const index = `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'users_full_name_idx'`;
        expect(await db.sql(index)).toEqual([{ valid: true }]);
        expect(await migrate(db.target, { direction: 'down', dir })).toEqual(['1764086400001_users-full-name-idx']);
        expect(await db.sql(index)).toEqual([]);
        if ('pglite' in db.target) {
          expect(await db.sql(`SELECT current_setting('lock_timeout') AS l`)).toEqual([{ l: '0' }]);
        }
      } finally {
        await db.done();
      }
    });
  });
});
