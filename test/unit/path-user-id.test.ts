// The path's id is read by the userId schema (shared/users/schemas.ts, pathUserId): canonical ids come back as they
// are, other accepted forms lower-cased without braces, anything else a 400.
import { AppError } from '../../shared/errors';
import { pathUserId } from '../../shared/users/schemas';

function outcome(read: () => string): { id: string } | { error: unknown } {
  try {
    return { id: read() };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { error: { status: error.status, code: error.code, detail: error.detail, extras: error.extras } };
  }
}

const viaPath = (value: string | undefined) => outcome(() => pathUserId(value));

describe('pathUserId', () => {
  it.each([
    ['0f0953e6-23ce-474c-b4be-87e1ab3cfa3a', { id: '0f0953e6-23ce-474c-b4be-87e1ab3cfa3a' }],
    ['0F0953E6-23CE-474C-B4BE-87E1AB3CFA3A', { id: '0f0953e6-23ce-474c-b4be-87e1ab3cfa3a' }],
    ['{0f0953e6-23ce-474c-b4be-87e1ab3cfa3a}', { id: '0f0953e6-23ce-474c-b4be-87e1ab3cfa3a' }],
    ['0f0953e6-23ce-474c-b4be-87e1ab3cfa3a\n', 'VALIDATION_FAILED'],
    ['0f0953e623ce474cb4be87e1ab3cfa3a', 'VALIDATION_FAILED'],
    [undefined, 'VALIDATION_FAILED'],
  ])('%j', (value, expected) => {
    const got = viaPath(value);
    if (typeof expected === 'string') expect(got).toMatchObject({ error: { status: 400, code: expected } });
    else expect(got).toEqual(expected);
  });
});
