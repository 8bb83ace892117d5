// Whether the process is draining for shutdown: readiness turns 503 at once so that no new traffic arrives.

let draining = false;
const drainingListeners = new Set<() => void>();

export const isDraining = () => draining;

/**
 * Runs `listener` once draining starts (at once if it already has), e.g. to end keep-alive on open responses.
 * Returns a function that unregisters it, for owners that go away first (a closed server).
 */
export function onDraining(listener: () => void): () => void {
  if (draining) {
    listener();
    return () => undefined;
  }
  drainingListeners.add(listener);
  return () => drainingListeners.delete(listener);
}

export function startDraining(): void {
  if (draining) return;
  draining = true;
  const listeners = [...drainingListeners];
  drainingListeners.clear();
  for (const listener of listeners) listener();
}
