// Jest's node environment plus one embedded PostgreSQL (PGlite) per Jest worker. PGlite takes seconds to boot (it
// compiles PostgreSQL's WebAssembly), and a worker runs its test files one after another, so this module (loaded
// once per worker, outside the files' sandboxes) boots it once and each file starts from a fresh schema on it
// (test/support/databases.ts).
const { TestEnvironment } = require('jest-environment-node');

let booting;

function workerPGlite() {
  booting ??= (async () => {
    const { PGlite } = require('@electric-sql/pglite');
    const pglite = new PGlite('memory://');
    await pglite.waitReady;
    return pglite;
  })();
  return booting;
}

class WorkerEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    this.global.workerPGlite = workerPGlite;
  }

  async teardown() {
    // After a write PostgreSQL arms a 10 s idle timer (its statistics flush), and PGlite's setTimeout for it would
    // hold the worker open that long after its last file. Clearing it is harmless: the next query re-arms it.
    if (booting) (await booting).mod?._clear_setitimer?.();
    await super.teardown();
  }
}

module.exports = WorkerEnvironment;
