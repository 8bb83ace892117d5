// Jest's globalTeardown for `npm run test:pooled`: stops the run's PgBouncer.
export default async function teardown(): Promise<void> {
  await globalThis.pgbouncer?.stop();
}
