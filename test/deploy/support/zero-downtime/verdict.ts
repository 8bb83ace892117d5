// Sorts a load run's requests into served, not accepted and failed, by what the client saw and what the service
// logged, and prints the counts as one summary line.
import type { LogLine } from '../../../support/service';
import type { Outcome } from './load-driver';

/**
 * Accepted means the service read the request: its HTTP server parsed it, and the service logs every request it
 * answers with our X-Request-ID. A request the service never read was not accepted: a connection refused because the
 * listener had closed, or a connection reset while the request still sat unread in the kernel (a connection left in
 * the listen backlog when the listener closed, or an idle keep-alive connection that the server closed just as the
 * client reused it). Sending those elsewhere is the load balancer's job. Every accepted request must complete with
 * its expected status; so must every request that got any part of a response, and every request that timed out or
 * got a wrong body counts as failed whoever was at fault.
 */
export interface Verdict {
  served: Outcome[];
  notAccepted: Outcome[];
  failed: Outcome[];
}

// The errors with which a connection ends before the service has read a byte of the request.
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up']);

/** The X-Request-IDs of the requests a service logged (one line per request it answered). */
export function requestIdsLogged(logs: readonly LogLine[]): Set<string> {
  const ids = new Set<string>();
  for (const line of logs) {
    const id = line.httpRequest ? line.request_id : undefined;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

export function judge(outcomes: readonly Outcome[], logged: ReadonlySet<string>): Verdict {
  const verdict: Verdict = { served: [], notAccepted: [], failed: [] };
  for (const outcome of outcomes) {
    if (outcome.complete && outcome.status === outcome.expected) verdict.served.push(outcome);
    else if (
      !outcome.responseStarted &&
      outcome.error !== undefined &&
      CONNECTION_ERRORS.has(outcome.error) &&
      !logged.has(outcome.requestId)
    )
      verdict.notAccepted.push(outcome);
    else verdict.failed.push(outcome);
  }
  return verdict;
}

function countBy(outcomes: readonly Outcome[], key: (outcome: Outcome) => string): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(key(outcome), (counts.get(key(outcome)) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${name}=${count}`).join(' ') || '-';
}

/** One line: requests sent, by status, by operation, not accepted (by reason) and failed. */
export function summary(label: string, outcomes: readonly Outcome[], verdict: Verdict): string {
  const answered = outcomes.filter((outcome) => outcome.status !== undefined);
  return [
    `zero-downtime ${label}: sent=${outcomes.length}`,
    `served=${verdict.served.length} [${countBy(verdict.served, (outcome) => outcome.operation)}]`,
    `by status [${countBy(answered, (outcome) => String(outcome.status))}]`,
    `not accepted=${verdict.notAccepted.length} [${countBy(verdict.notAccepted, (outcome) => `${outcome.error}/${outcome.mode}`)}]`,
    `failed=${verdict.failed.length}`,
  ].join(', ');
}

/** The failed requests, readable in an assertion message. */
export function describeFailures(failed: readonly Outcome[]): string {
  return failed
    .slice(0, 20)
    .map((outcome) => JSON.stringify(outcome))
    .join('\n');
}
