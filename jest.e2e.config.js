// The end-to-end suite (`npm run test:e2e`): a real browser on /docs, the typed client packed and installed.
// Kept out of `npm test` because each drives other programs (Chromium, npm, tsc) for seconds; CI runs both.
/** @type {import('jest').Config} */
module.exports = {
  // The same per-worker PGlite as `npm test` (the browser test serves the app on it).
  testEnvironment: '<rootDir>/test/support/worker-environment.js',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.test.ts'],
  ...require('./test/support/jest-transform'),
  testTimeout: 120_000,
  maxWorkers: 2,
};
