// The full name's rules, written for speed in shared/users/schemas.ts (no array of characters, no list of matches),
// must judge every name exactly as their plain statement does: the same names refused, with the same messages.
import fc from 'fast-check';
import { fullName } from '../../shared/users/schemas';

const NAME_CHARACTERS = /^(?:[\p{L}\p{M}\p{N} '’.,-]|\u200C|\u200D)+$/u;
const VISIBLE_LETTER_OR_DIGIT = /(?![\u115F\u1160\u3164\uFFA0])[\p{L}\p{N}]/gu;

/** The rules as the API documents them, computed the obvious way. */
function expectedMessages(raw: string): string[] {
  const value = raw.trim().replace(/\s+/g, ' ');
  const length = [...value].length;
  const messages: string[] = [];
  if (length < 2) messages.push('must be at least 2 characters');
  if (length > 100) messages.push('must be at most 100 characters');
  if (!NAME_CHARACTERS.test(value)) messages.push("must hold only letters, digits, spaces and ' . , -");
  const wellFormed = length >= 2 && length <= 100 && NAME_CHARACTERS.test(value);
  if (wellFormed && (value.match(VISIBLE_LETTER_OR_DIGIT)?.length ?? 0) < 2) {
    messages.push('must hold at least 2 letters or digits');
  }
  return messages;
}

function actualMessages(value: string): string[] {
  const result = fullName.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

// The characters the rules turn on: letters and digits of several scripts, an emoji and a letter outside the BMP
// (surrogate pairs), a lone surrogate, combining marks, joiners, Hangul fillers, spaces and punctuation.
const PIECES = [
  'a', 'Z', '7', 'é', '李', 'ß', 'م', '\u{1D400}', '😀', '\uD800', '\uDC00', '\u0301', '\u200C', '\u200D',
  '\u3164', '\u115F', '\uFFA0', ' ', '  ', '\t', "'", '’', '.', ',', '-', '!', '_',
]; // prettier-ignore

describe('full_name rules', () => {
  it('judge arbitrary names exactly as the documented rules do', () => {
    const names = fc.array(fc.constantFrom(...PIECES), { maxLength: 110 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(names, (name) => {
        expect(actualMessages(name)).toEqual(expectedMessages(name));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['Jo', []],
    ['😀😀', ["must hold only letters, digits, spaces and ' . , -"]],
    ['\u{1D400}\u{1D401}', []],
    ['\u{1D400}', ['must be at least 2 characters']],
    ['\u3164\u3164', ['must hold at least 2 letters or digits']],
    ['a\u3164', ['must hold at least 2 letters or digits']],
    ['a'.repeat(50) + '\u{1D400}'.repeat(50), []],
    ['a'.repeat(50) + '\u{1D400}'.repeat(51), ['must be at most 100 characters']],
  ])('%j: %j', (name, messages) => {
    expect(actualMessages(name)).toEqual(messages);
    expect(expectedMessages(name)).toEqual(messages);
  });
});
