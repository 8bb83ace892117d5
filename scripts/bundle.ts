// Build step after tsc (`npm run build`): bundles the production entrypoint, functions/main.ts, with esbuild into one
// file written over tsc's dist/functions/main.js, so every way of running it (the image's CMD, npm start, the bench,
// the tests that spawn it) runs the file the image ships. One file instead of some 200 modules: Node resolves and
// reads one, and the compile cache made at image build (scripts/compile-cache.ts) holds it whole. bench/README.md,
// "Cold start", has the figures.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Left in node_modules and required where they are used: what the PostgreSQL path never loads (PGlite and the
 * migration runner for the embedded database, winston for LOG_FORMAT=pretty and the Cloud Logging API, the Functions
 * Framework, the /docs page's files) and pg's optional native binding.
 */
export const EXTERNAL = [
  '@electric-sql/pglite',
  '@google-cloud/functions-framework',
  '@google-cloud/logging-winston',
  'node-pg-migrate',
  'pg-native',
  'swagger-ui-dist',
  'winston',
];

/**
 * Escapes the characters outside ASCII that esbuild leaves (in comments and regular expressions) as \uXXXX, which
 * means the same there. One character above U+00FF makes V8 hold the whole 1.2 MB source, kept for lazy compilation,
 * as two bytes a character: 1.2 MB more of every process's heap.
 */
function asciiOnly(file: string): void {
  const text = readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaped !== text) writeFileSync(file, escaped);
}

/** Bundles functions/main.ts into `outfile`; returns the number of modules and bytes. */
export async function bundleEntrypoint(outfile: string): Promise<{ inputs: number; bytes: number }> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'functions/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: EXTERNAL,
    // Not minified: a stack trace in a log line must stay readable without a source map.
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  asciiOnly(outfile);
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { inputs: Object.keys(result.metafile.inputs).length, bytes };
}

async function main(): Promise<void> {
  const outfile = path.join(ROOT, 'dist/functions/main.js');
  const { inputs, bytes } = await bundleEntrypoint(outfile);
  process.stdout.write(
    `bundled functions/main.ts: ${inputs} modules, ${(bytes / 1024).toFixed(0)} KiB -> ${path.relative(ROOT, outfile)}\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bundle failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
