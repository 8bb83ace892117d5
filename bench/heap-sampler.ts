// Preloaded into a server by `npm run bench -- --allocations` (node --require): V8's sampling heap profiler, started
// by the first SIGUSR2 and stopped by the second, which writes the profile to HEAP_PROFILE_OUT. Collected objects
// stay in the profile, so it counts every byte the load allocated, not only what was still alive at the end.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.HEAP_PROFILE_OUT;
// Small enough for a few hundred thousand samples in a cell of a few seconds; the figures are V8's scaled estimates.
const SAMPLING_INTERVAL_BYTES = 2048;

if (out) {
  const session = new Session();
  session.connect();
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', {
        samplingInterval: SAMPLING_INTERVAL_BYTES,
        includeObjectsCollectedByMinorGC: true,
        includeObjectsCollectedByMajorGC: true,
      });
      return;
    }
    session.post('HeapProfiler.stopSampling', (error, result) => {
      writeFileSync(out, error ? JSON.stringify({ error: error.message }) : JSON.stringify(result.profile));
    });
  });
}
