// The compatibility suite (`npm run test:compat`): an older build's API suite on this build's schema, and the two
// builds serving one database under load while the newer one's migration runs. Both use the previous build that
// the global setup checks out and compiles once (test/compat/support/previous-build.ts).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/compat'],
  testMatch: ['**/*.test.ts'],
  ...require('./test/support/jest-transform'),
  globalSetup: '<rootDir>/test/compat/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/compat/support/global-teardown.ts',
  testTimeout: 600_000,
  maxWorkers: 1,
};
