// What a driver error becomes (shared/db/failures.ts), and the bounded retry of writes that lost a deadlock
// (shared/db/retry.ts). Issue 9: EMFILE on the way to the database was a 500; a deadlock was a 503 logged at ERROR.
import { AppError } from '../../shared/errors';
import type { Queryable, QueryResult } from '../../shared/db/database';
import { isDatabaseUnavailable, isWriteConflict, translateDriverError } from '../../shared/db/failures';
import { retryWriteConflicts, WRITE_ATTEMPTS } from '../../shared/db/retry';
import { deleteUser, insertUser, updateUser } from '../../shared/users/repository';

/** An error as Node raises a failed system call: `connect EMFILE 127.0.0.1:5432`. */
const systemError = (code: string, syscall: string) =>
  Object.assign(new Error(`${syscall} ${code} 127.0.0.1:5432`), { code, errno: -24, syscall });
const sqlError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

const codeOf = (error: unknown) => (error instanceof AppError ? error.code : 'untranslated');

describe('translateDriverError', () => {
  it.each([
    ['42P01', 'relation "users" does not exist'],
    ['42703', 'column "full_name" does not exist'],
  ])('answers %s (%s) as 503 SCHEMA_NOT_READY with Retry-After: the schema is behind the code', (code, message) => {
    const translated = translateDriverError(sqlError(code, message));
    expect(codeOf(translated)).toBe('SCHEMA_NOT_READY');
    expect((translated as AppError).extras.headers).toEqual({ 'Retry-After': expect.stringMatching(/^\d+$/) });
  });

  it.each([
    ['EMFILE', 'connect'],
    ['ENFILE', 'connect'],
    ['EMFILE', 'socket'],
    ['ENOBUFS', 'write'],
    ['EADDRNOTAVAIL', 'connect'],
    ['ESOMETHINGNEW', 'read'], // any failed system call on the way is a socket error
    ['EAI_FAIL', 'getaddrinfo'],
  ])('answers %s from %s as 503 DATABASE_UNAVAILABLE with Retry-After, never a 500', (code, syscall) => {
    const translated = translateDriverError(systemError(code, syscall));
    expect(codeOf(translated)).toBe('DATABASE_UNAVAILABLE');
    expect((translated as AppError).extras.headers).toEqual({ 'Retry-After': expect.stringMatching(/^\d+$/) });
  });

  it.each([
    'EMFILE',
    'ENFILE',
    'ERR_SOCKET_CONNECTION_TIMEOUT',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'SELF_SIGNED_CERT_IN_CHAIN',
  ])('counts %s as unavailable even without a syscall', (code) => {
    expect(isDatabaseUnavailable(Object.assign(new Error(code), { code }))).toBe(true);
  });

  it.each([
    ['40P01', 'deadlock detected'],
    ['40001', 'could not serialize access due to concurrent update'],
  ])('answers %s (%s) as a 409 WRITE_CONFLICT, not an outage', (code, message) => {
    const error = sqlError(code, message);
    expect(isWriteConflict(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(codeOf(translateDriverError(error))).toBe('WRITE_CONFLICT');
  });

  it('passes a unique violation and a plain bug through untranslated', () => {
    expect(codeOf(translateDriverError(sqlError('23505', 'duplicate key')))).toBe('untranslated');
    expect(codeOf(translateDriverError(new TypeError('x is undefined')))).toBe('untranslated');
  });
});

/** A database whose every query fails with the errors given, in turn, then answers with one row. */
function flakyDatabase(failures: unknown[]): Queryable & { calls: number } {
  const database = {
    calls: 0,
    query<Row>(): Promise<QueryResult<Row>> {
      const failure = failures[database.calls++];
      if (failure !== undefined) return Promise.reject(failure);
      return Promise.resolve({ rows: [{ id: 'row' } as Row], rowCount: 1 });
    },
  };
  return database;
}

const deadlock = () => translateDriverError(sqlError('40P01', 'deadlock detected'));
const input = { username: 'swap1', email: 'swap1@example.com', full_name: 'Swap One' };

// Retried by their caller (shared/idempotency/idempotent.ts, the DELETE handler): inside a transaction only the whole
// transaction can run again.
describe('writes that lose a deadlock', () => {
  it.each<[string, (db: Queryable) => Promise<unknown>]>([
    ['insert', (db: Queryable) => insertUser(db, input)],
    ['update', (db: Queryable) => updateUser(db, '00000000-0000-4000-8000-000000000000', { email: 'x@example.com' })],
    ['delete', (db: Queryable) => deleteUser(db, '00000000-0000-4000-8000-000000000000')],
  ])('are run again (%s), and succeed when the conflict has passed', async (_write, write) => {
    const db = flakyDatabase([deadlock(), sqlError('40001', 'could not serialize')]);
    await expect(retryWriteConflicts(() => write(db))).resolves.toBeTruthy();
    expect(db.calls).toBe(3);
  });

  it(`give up after ${WRITE_ATTEMPTS} attempts with 409 WRITE_CONFLICT`, async () => {
    const db = flakyDatabase(Array.from({ length: 10 }, deadlock));
    const failure = await retryWriteConflicts(() =>
      updateUser(db, '00000000-0000-4000-8000-000000000000', { email: 'x@example.com' }),
    ).catch((error: unknown) => error);
    expect([codeOf(failure), (failure as AppError).status]).toEqual(['WRITE_CONFLICT', 409]);
    expect(db.calls).toBe(WRITE_ATTEMPTS);
  });

  it('are not retried for anything else: a unique violation is one attempt and a 409 naming the field', async () => {
    const db = flakyDatabase([Object.assign(sqlError('23505', 'duplicate key'), { constraint: 'users_email_key' })]);
    const failure = await retryWriteConflicts(() => insertUser(db, input)).catch((error: unknown) => error);
    expect([codeOf(failure), (failure as AppError).extras.fieldErrors]).toEqual([
      'USER_CONFLICT',
      [{ field: 'email', message: 'is already taken' }],
    ]);
    expect(db.calls).toBe(1);
  });

  it('are not retried for an outage', async () => {
    const db = flakyDatabase([translateDriverError(systemError('ECONNREFUSED', 'connect'))]);
    const failure = await retryWriteConflicts(() => deleteUser(db, '00000000-0000-4000-8000-000000000000')).catch(
      (error: unknown) => error,
    );
    expect(codeOf(failure)).toBe('DATABASE_UNAVAILABLE');
    expect(db.calls).toBe(1);
  });
});
