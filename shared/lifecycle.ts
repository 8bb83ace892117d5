// Whether the process is draining for shutdown: readiness turns 503 at once so that no new traffic arrives.

let draining = false;

export const isDraining = () => draining;

export function startDraining(): void {
  draining = true;
}
