// The README's error table is the error catalogue, and its first lines keep the two commands a newcomer needs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderErrorTable } from '../../scripts/error-table';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

// Prettier pads table cells; compare cell contents, not spacing.
const normalizeTable = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim().replace(/^-+$/, '---'))
        .join('|'),
    )
    .join('\n');

describe('README', () => {
  it('contains the error table exactly as generated from shared/errors.ts', () => {
    expect(normalizeTable(readme)).toContain(normalizeTable(renderErrorTable()));
  });

  it('opens with the install-and-start command and the test command', () => {
    const head = readme.split('\n').slice(0, 8).join('\n');
    expect(head).toContain('npm ci && npm start');
    expect(head).toContain('npm test');
  });
});
