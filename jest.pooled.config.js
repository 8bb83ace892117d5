// The HTTP suites on PostgreSQL through PgBouncer in transaction mode (`npm run test:pooled`): every app and spawned
// service connects through the pooler with DB_POOL_MODE=transaction; checks behind the API's back go direct.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/integration'],
  globalSetup: '<rootDir>/test/support/pooler-setup.ts',
  globalTeardown: '<rootDir>/test/support/pooler-teardown.ts',
};
