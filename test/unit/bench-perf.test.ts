// `npm run bench -- --perf` puts the service's CPU time beside the baseline's, kind by kind and symbol by symbol: the
// same function must get the same name in both (bundled or not, whatever V8 tier compiled it), or the difference is of
// nothing; and a symbol's µs a request is its share of the samples times the cell's CPU a request.
import { breakdown, kindOf, labelOf, parsePerfReport } from '../../bench/perf';

const BUNDLE = '/srv/app/dist/functions/main.js';
// Lines 0-1 are the bundle's prelude, 2-4 pg's client, 5 our pipeline (esbuild's `// path` comments), 0-based.
const bundles = new Map([
  [BUNDLE, ['(bundle)', '(bundle)', 'node_modules/pg/lib/client.js', 'node_modules/pg/lib/client.js', 'node_modules/pg/lib/client.js', 'shared/http/pipeline.ts']],
]); // prettier-ignore

// What `perf report --no-children --sort dso,sym -n --stdio -t '\t'` prints (its header lines start with #).
const REPORT = [
  '# Samples: 400 of event cpu-clock',
  '#',
  ' 50.00% \t 200       \t[kernel.kallsyms]  \t[k] _raw_spin_unlock_irqrestore',
  ' 25.00% \t 100       \tnode               \t[.] Builtins_KeyedLoadIC_Megamorphic',
  ` 12.50% \t 50        \t[JIT] tid 41       \t[.] JS:*'_handleRowDescription ${BUNDLE}:4:24`,
  " 10.00% \t 40        \t[JIT] tid 41       \t[.] JS:+'_handleRowDescription /srv/app/node_modules/pg/lib/client.js:444:24",
  ' 2.50%  \t 10        \tnode               \t[.] v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>',
  '',
].join('\n');

describe('the perf breakdown', () => {
  it('reads every sample row of perf report and nothing else', () => {
    expect(parsePerfReport(REPORT)).toEqual([
      { dso: '[kernel.kallsyms]', symbol: '_raw_spin_unlock_irqrestore', samples: 200 },
      { dso: 'node', symbol: 'Builtins_KeyedLoadIC_Megamorphic', samples: 100 },
      { dso: '[JIT] tid 41', symbol: `JS:*'_handleRowDescription ${BUNDLE}:4:24`, samples: 50 },
      { dso: '[JIT] tid 41', symbol: "JS:+'_handleRowDescription /srv/app/node_modules/pg/lib/client.js:444:24", samples: 40 },
      { dso: 'node', symbol: 'v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>', samples: 10 },
    ]); // prettier-ignore
  });

  it('names a JavaScript function by its source module, bundled or not, in any tier', () => {
    const bundled = { dso: '[JIT] tid 41', symbol: `JS:*'_handleRowDescription ${BUNDLE}:4:24` };
    const loaded = {
      dso: '[JIT] tid 7',
      symbol: "JS:^'_handleRowDescription /srv/app/node_modules/pg/lib/client.js:1:1",
    };
    expect(labelOf(bundled, bundles)).toBe('_handleRowDescription (pg/lib/client.js)');
    expect(labelOf(loaded, bundles)).toBe(labelOf(bundled, bundles));
    expect(kindOf(bundled, bundles)).toBe('JS: pg/lib/client.js');
    const ours = { dso: '[JIT] tid 41', symbol: `JS:*pipeline ${BUNDLE}:6:33` };
    expect(kindOf(ours, bundles)).toBe('JS: shared/http/pipeline.ts');
    expect(labelOf({ dso: '[JIT] tid 41', symbol: `JS:*' node:_http_server:10:2` }, bundles)).toBe(
      '(anonymous) (node:_http_server)',
    );
  });

  it('sorts native code by what it does', () => {
    const kind = (dso: string, symbol: string) => kindOf({ dso, symbol }, bundles);
    expect(kind('[kernel.kallsyms]', 'tcp_sendmsg_locked')).toMatch(/^kernel/);
    expect(kind('node', 'v8::internal::Scavenger::ScavengeObject<x>')).toBe('V8 garbage collector');
    expect(kind('node', 'Builtins_RegExpPrototypeTestFast')).toMatch(/^V8 builtins/);
    expect(kind('node', 'v8::internal::String::WriteToFlat2<unsigned char>')).toMatch(/^V8 runtime/);
    expect(kind('node', 'node::StreamBase::WriteString<(node::encoding)1>')).toMatch(/^Node's C\+\+/);
    expect(kind('node', 'llhttp__internal__run')).toMatch(/^Node's C\+\+/);
    expect(kind('libc.so.6', '_int_malloc')).toMatch(/^C library/);
    expect(kind('[vdso]', '__vdso_clock_gettime')).toMatch(/^C library/);
    expect(kind('[JIT] tid 41', 'RegExp:^[^"\\\\]*$')).toBe('RegExp (compiled patterns)');
    expect(kind('[JIT] tid 41', "RegExp.> src: '^[\\da-f]{8}$' flags: ''")).toBe('RegExp (compiled patterns)');
  });

  it('gives each symbol its share of the CPU a request, one function once', () => {
    const result = breakdown(parsePerfReport(REPORT), 80, bundles);
    expect(result.samples).toBe(400);
    expect(result.bySymbol.get('_raw_spin_unlock_irqrestore')).toBeCloseTo(40);
    expect(result.bySymbol.get('_handleRowDescription (pg/lib/client.js)')).toBeCloseTo(18); // 90 of 400 samples
    expect(result.byKind.get('JS: pg/lib/client.js')).toBeCloseTo(18);
    expect(result.byKind.get('V8 garbage collector')).toBeCloseTo(2);
    const total = [...result.byKind.values()].reduce((sum, us) => sum + us, 0);
    expect(total).toBeCloseTo(80);
  });
});
