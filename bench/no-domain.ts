// Diagnosis preload (`node -r dist/bench/no-domain.js dist/functions/main.js`): replaces domain.create with a
// stand-in, so the service runs without Functions Framework's per-request domain. Never used in production.
import domain from 'node:domain';

// A created Domain turns on async hooks (with destroy tracking) for the whole process, which slows every promise;
// this stand-in has the two methods function_wrappers.js calls and enables nothing.
const standIn = {
  on() {
    return standIn;
  },
  run<T>(fn: () => T): T {
    return fn();
  },
};

Object.defineProperty(domain, 'create', { value: () => standIn, writable: true, configurable: true });
