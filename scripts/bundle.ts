// Build step after tsc (`npm run build`): bundles the production entrypoint, functions/main.ts, with esbuild into one
// file written over tsc's dist/functions/main.js, so every way of running it (the image's CMD, npm start, the bench,
// the tests that spawn it) runs the file the image ships. One file instead of some 200 modules: Node resolves and
// reads one, and the compile cache made at image build (scripts/compile-cache.ts) holds it whole. bench/README.md,
// "Cold start", has the figures.
import { build } from 'esbuild';
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

async function main(): Promise<void> {
  const outfile = path.join(ROOT, 'dist/functions/main.js');
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
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  const inputs = Object.keys(result.metafile.inputs).length;
  process.stdout.write(
    `bundled functions/main.ts: ${inputs} modules, ${(bytes / 1024).toFixed(0)} KiB -> ${path.relative(ROOT, outfile)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bundle failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
