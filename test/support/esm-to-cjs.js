// Jest runs CommonJS; jose v6 ships only ES modules, which Jest cannot require on Node 20 (it can from Node 24.9).
// esbuild (already the bundler) rewrites each of its files to CommonJS as Jest loads it.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      format: 'cjs',
      target: 'node20',
      loader: 'js',
      sourcefile: filename,
      sourcemap: 'inline',
    });
    return { code, map };
  },
};
