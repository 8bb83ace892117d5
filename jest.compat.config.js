// The compatibility gate (`npm run test:compat`): an older build's API suite on this build's schema.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/compat'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 600_000,
  maxWorkers: 1,
};
