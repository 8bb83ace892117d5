// The build's required migration is the newest one it ships, so adding a migration moves the schema gate with it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { REQUIRED_MIGRATION } from '../../shared/db/schema';

describe('REQUIRED_MIGRATION', () => {
  it('is the newest file in migrations/', () => {
    const names = readdirSync(path.resolve(__dirname, '../../migrations'))
      .filter((file) => file.endsWith('.sql'))
      .map((file) => file.replace(/\.sql$/, ''))
      .sort();
    expect(REQUIRED_MIGRATION).toBe(names[names.length - 1]);
  });
});
