// `npm run bench -- --allocations` compares the bundled service with the baseline module by module: a module must
// get the same name whether esbuild bundled it or Node loaded it from its file, or the comparison is of nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { summariseHeapProfile } from '../../bench/allocations';
import { moduleOf } from '../../bench/source-modules';

const BUNDLE = '/srv/app/dist/functions/main.js';
// Lines 0-1 are the bundle's prelude, 2-4 pg's client, 5 on our repository (esbuild's `// path` comments).
const bundles = new Map([
  [BUNDLE, ['(bundle)', '(bundle)', 'node_modules/pg/lib/client.js', 'node_modules/pg/lib/client.js', 'node_modules/pg/lib/client.js', 'shared/users/repository.ts']],
]); // prettier-ignore

describe('the allocation summary', () => {
  it('names a module the same bundled and loaded from its file', () => {
    expect(moduleOf(`file://${BUNDLE}`, 3, bundles)).toBe('pg/lib/client.js');
    expect(moduleOf('/srv/app/node_modules/pg/lib/client.js', 120, bundles)).toBe('pg/lib/client.js');
    expect(moduleOf(BUNDLE, 5, bundles)).toBe('shared/users/repository.ts');
    expect(moduleOf('/srv/app/dist/shared/users/repository.js', 40, bundles)).toBe('shared/users/repository.ts');
    expect(moduleOf('node:_http_outgoing', 10, bundles)).toBe('node:_http_outgoing');
    expect(moduleOf('', 0, bundles)).toBe('(V8 and native)');
  });

  it('adds up the bytes of every frame, per request and per module', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heap-'));
    const file = path.join(dir, 'x.heapprofile');
    const frame = (url: string, lineNumber: number, selfSize: number, children: object[] = []) => ({
      callFrame: { functionName: 'f', url, lineNumber },
      selfSize,
      children,
    });
    const head = frame('', 0, 0, [
      frame(BUNDLE, 5, 3000, [frame(BUNDLE, 2, 1000), frame('node:buffer', 1, 500)]),
      frame('/srv/app/node_modules/pg/lib/client.js', 9, 1500),
    ]);
    writeFileSync(file, JSON.stringify({ head, samples: [] }));
    try {
      const summary = summariseHeapProfile(file, 10, bundles);
      expect(summary.bytesPerRequest).toBe(600);
      expect(summary.byModule).toEqual([
        { module: 'shared/users/repository.ts', bytesPerRequest: 300 },
        { module: 'pg/lib/client.js', bytesPerRequest: 250 },
        { module: 'node:buffer', bytesPerRequest: 50 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
