// How every Jest config compiles: our TypeScript with ts-jest, and the ES-module-only packages we depend on (jose)
// to CommonJS (see esm-to-cjs.js).
module.exports = {
  transform: {
    '^.+\\.ts$': 'ts-jest',
    '/node_modules/jose/.+\\.js$': '<rootDir>/test/support/esm-to-cjs.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
