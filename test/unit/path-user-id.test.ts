// The path's id is checked by one regex when it is in canonical form and by zod's schema otherwise
// (shared/users/schemas.ts, pathUserId): every value must get exactly the schema's answer.
import fc from 'fast-check';
import { AppError } from '../../shared/errors';
import { pathUserId, userId } from '../../shared/users/schemas';
import { parseWith } from '../../shared/validation';

function outcome(read: () => string): { id: string } | { error: unknown } {
  try {
    return { id: read() };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { error: { status: error.status, code: error.code, detail: error.detail, extras: error.extras } };
  }
}

const viaSchema = (value: string | undefined) => outcome(() => parseWith(userId, value, 'path.id'));
const viaPath = (value: string | undefined) => outcome(() => pathUserId(value));

// Ids in every form the schema takes or nearly takes: either case, braces, a digit too many or too few, stray
// characters, unicode digits and letters that lower-case to hex.
const characters = fc.constantFrom(...'0123456789abcdefABCDEF-{}gGxX \n٣İK'.split(''));
const uuidLike = fc
  .tuple(fc.uuid(), fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }), fc.boolean())
  .map(([uuid, upper, braces]) => {
    // Each letter in either case, so that an id mixing the two is tried too.
    const text = [...uuid].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join('');
    return braces ? `{${text}}` : text;
  });

describe('pathUserId', () => {
  it('answers every value exactly as the userId schema does', () => {
    fc.assert(
      fc.property(fc.oneof(uuidLike, fc.string({ unit: characters, maxLength: 40 }), fc.string()), (value) => {
        expect(viaPath(value)).toEqual(viaSchema(value));
      }),
      { numRuns: 5000 },
    );
  });

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
    expect(got).toEqual(viaSchema(value));
  });
});
