// The error catalogue: one constructor per code, one wording per code, and no error made anywhere else.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { AppError, errorCatalogue, errors } from '../../shared/errors';

// Sample arguments for the constructors that take some; the rest take none.
const samples: Partial<Record<keyof typeof errors, unknown[]>> = {
  validationFailed: [[{ field: 'username', message: 'is required' }]],
  routeNotFound: ['/nope'],
  userNotFound: ['id', 'x'],
  methodNotAllowed: ['/api/v1/users', 'PUT', ['GET', 'POST']],
  userConflict: ['email', new Error('23505')],
  databaseUnavailable: [new Error('ECONNREFUSED')],
};
const made = Object.entries(errors).map(([name, make]) => {
  const error = (make as (...args: unknown[]) => AppError)(...(samples[name as keyof typeof errors] ?? []));
  return { name, error };
});

describe('error catalogue', () => {
  it('has exactly one constructor per code', () => {
    expect(made.map(({ error }) => error.code).sort()).toEqual(Object.keys(errorCatalogue).sort());
  });

  it('gives each error the status of its code', () => {
    for (const { error } of made) expect(error.status).toBe(errorCatalogue[error.code].status);
  });

  it('says Retry-After on 503 and Allow on 405, and names the field of a conflict', () => {
    const byCode = Object.fromEntries(made.map(({ error }) => [error.code, error]));
    expect(byCode.DATABASE_UNAVAILABLE?.extras.headers).toEqual({ 'Retry-After': '2' });
    expect(byCode.METHOD_NOT_ALLOWED?.extras.headers).toEqual({ Allow: 'GET, POST' });
    expect(byCode.USER_CONFLICT?.extras.fieldErrors).toEqual([{ field: 'email', message: 'is already taken' }]);
  });

  it('is the only place that makes an AppError', () => {
    const root = path.resolve(__dirname, '../..');
    const makers = execFileSync(
      'git',
      ['grep', '-l', '-E', 'AppError\\.make|new AppError', '--', 'functions', 'shared'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(makers.trim().split('\n')).toEqual(['shared/errors.ts']);
  });
});
