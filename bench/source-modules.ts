// One name per source module for the service and the baseline alike: the bundled service's frames map back through
// esbuild's `// path` comments, the baseline's come from their files; used by `--allocations` and `--perf`.
import { readFileSync } from 'node:fs';

/** For a bundle: the source module each line came from, read off esbuild's `// path/to/module.js` comments. */
export function bundleModules(file: string): string[] {
  const modules: string[] = [];
  let current = '(bundle)';
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const comment = /^\/\/ ((?:node_modules|shared|functions)\/\S+)$/.exec(line);
      if (comment) current = comment[1] as string;
      modules[index] = current;
    });
  return modules;
}

/** The same name for a module whether it was bundled (the service) or loaded from its file (the baseline). */
export function moduleOf(url: string, line: number, bundles: Map<string, string[]>): string {
  if (url === '') return '(V8 and native)';
  if (url.startsWith('node:')) return url;
  const file = url.replace(/^file:\/\//, '');
  let source = file;
  if (bundles.has(file)) source = bundles.get(file)?.[line] ?? '(bundle)';
  const modules = source.lastIndexOf('node_modules/');
  if (modules !== -1) return source.slice(modules + 'node_modules/'.length);
  return source.replace(/^.*?\/?dist\//, '').replace(/\.js$/, '.ts');
}
