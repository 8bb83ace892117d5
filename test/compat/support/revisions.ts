// Which revision served what: the load's requests that a service logged, counted by operation.
import type { LogLine } from '../../support/service';
import type { OperationName, Outcome } from '../../deploy/support/zero-downtime/load-driver';
import { requestIdsLogged } from '../../deploy/support/zero-downtime/verdict';

export function operationsServed(
  outcomes: readonly Outcome[],
  logs: readonly LogLine[],
): Partial<Record<OperationName, number>> {
  const logged = requestIdsLogged(logs);
  const counts: Partial<Record<OperationName, number>> = {};
  for (const outcome of outcomes) {
    if (logged.has(outcome.requestId)) counts[outcome.operation] = (counts[outcome.operation] ?? 0) + 1;
  }
  return counts;
}
