// The fault and bad-input suite (`npm run test:reliability`).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.test.ts'],
  ...require('./test/support/jest-transform'),
  testTimeout: 180_000,
  maxWorkers: 1,
};
