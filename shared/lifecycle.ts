// Whether the app is draining for shutdown: readiness turns 503 at once so that no new traffic arrives, and open
// keep-alive connections are told to close. One per app; the entrypoint starts it on SIGTERM.

export interface Drain {
  isDraining(): boolean;
  /**
   * Runs `listener` once draining starts (at once if it already has), e.g. to end keep-alive on open responses.
   * Returns a function that unregisters it, for owners that go away first (a closed server).
   */
  onDraining(listener: () => void): () => void;
  start(): void;
}

export function createDrain(): Drain {
  let draining = false;
  const listeners = new Set<() => void>();
  return {
    isDraining: () => draining,
    onDraining(listener) {
      if (draining) {
        listener();
        return () => undefined;
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (draining) return;
      draining = true;
      const pending = [...listeners];
      listeners.clear();
      for (const listener of pending) listener();
    },
  };
}
