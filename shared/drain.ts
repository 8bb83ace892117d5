// Whether the app is draining for shutdown: readiness turns 503 at once so that no new traffic arrives, and open
// keep-alive connections are told to close. One per app; the entrypoint starts it on SIGTERM.

export interface Drain {
  isDraining(): boolean;
  start(): void;
}

export function createDrain(): Drain {
  let draining = false;
  return {
    isDraining: () => draining,
    start() {
      draining = true;
    },
  };
}
