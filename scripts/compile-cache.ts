// Image build step (the Dockerfile's compile-cache stage): fills Node's module compile cache, the folder
// NODE_COMPILE_CACHE names, with V8's code for the production bundle, made by the runtime image's own node at the
// runtime's paths. A cold start then reads compiled code instead of compiling the bundle. It loads the entrypoint
// without serving: functions/main.ts serves only when it is the program.
import { mkdirSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';

// Node 22.1 added the compile cache; @types/node 20 does not know it yet.
const compileCache = module as typeof module & {
  getCompileCacheDir?: () => string | undefined;
  flushCompileCache?: () => void;
};

const dir = process.env.NODE_COMPILE_CACHE;
if (!dir) {
  process.stderr.write('NODE_COMPILE_CACHE must name the folder to fill\n');
  process.exit(1);
}
// Made even where Node has no compile cache, so the image's COPY of it never fails.
mkdirSync(dir, { recursive: true });
const entry = path.join(__dirname, '../functions/main.js');
if (!compileCache.getCompileCacheDir?.()) {
  process.stdout.write(`node ${process.version} has no module compile cache (22.1+): nothing cached\n`);
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(entry);
  compileCache.flushCompileCache?.();
  process.stdout.write(`compile cache of ${path.relative(process.cwd(), entry)} written to ${dir}\n`);
}
