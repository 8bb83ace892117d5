// Unit, integration and deployment tests (`npm test`). The reliability, e2e and compat suites have their own configs.
/** @type {import('jest').Config} */
module.exports = {
  // One PGlite per worker, shared by the worker's files (see the file).
  testEnvironment: '<rootDir>/test/support/worker-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/test/reliability/', '/test/compat/', '/test/e2e/', '/test/monitoring/'],
  ...require('./test/support/jest-transform'),
  testTimeout: 60_000,
  maxWorkers: 2,
};
