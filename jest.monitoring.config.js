// The monitoring suite (`npm run test:monitoring`): promtool on the rules, Debian's Prometheus scraping running
// services, and scripts/rollout's canary analysis against it. Needs `prometheus` and `promtool` on PATH (.ci/run
// installs Debian's package). Kept out of `npm test`, which CI runs on two Node versions; this suite runs once.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/monitoring'],
  testMatch: ['**/*.test.ts'],
  ...require('./test/support/jest-transform'),
  testTimeout: 180_000,
  maxWorkers: 1,
};
