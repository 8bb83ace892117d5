// What every response must look like (never 5xx; 4xx as problem+json with the request id), the few answers that
// come from Node itself before our code runs, and a tally of what a run sent and got.
import type { HostileRequest, Outcome, Reply } from './raw-http';

/** A request plus what the generator knows about it. */
export interface Probe extends HostileRequest {
  /** Node's HTTP parser may refuse it (bytes outside a token, header block over 16 KiB, odd Expect). */
  nodeMayRefuse?: boolean;
}

/**
 * Who answered:
 * - service: our pipeline (every such answer carries X-Request-ID).
 * - node: Node's http server before any listener runs: 417 for an Expect other than 100-continue. Empty body, no
 *   Content-Type, no X-Request-ID; allowed only for probes marked nodeMayRefuse. What its parser refuses (400, and
 *   431 for a header block over 16 KiB) is answered by our 'clientError' path as problem details (issue 19), so a
 *   bare 400 or 431 is a violation.
 */
export type Origin = 'service' | 'node';

function isNodeRefusal(reply: Reply): boolean {
  return (
    reply.status === 417 &&
    reply.headers['x-request-id'] === undefined &&
    reply.headers['content-type'] === undefined &&
    reply.text === ''
  );
}

const describeProbe = (probe: Probe) => {
  const body = Buffer.from(probe.body ?? '');
  const shownBody =
    body.length > 300 ? `${body.subarray(0, 300).toString()}... (${body.length} bytes)` : body.toString();
  const framing = probe.chunked
    ? ' [chunked]'
    : probe.declaredLength !== undefined
      ? ` [CL ${probe.declaredLength}]`
      : '';
  const target = probe.path.length > 300 ? `${probe.path.slice(0, 300)}... (${probe.path.length} chars)` : probe.path;
  return `${probe.method} ${target}${framing} headers=${JSON.stringify(probe.headers ?? {}).slice(0, 500)} body=${JSON.stringify(shownBody)}`;
};

/** The problems with a service answer: 5xx, a 4xx that is not problem+json, a missing or mismatched request id. */
function serviceViolations(probe: Probe, reply: Reply): string[] {
  const violations: string[] = [];
  const requestId = reply.headers['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') violations.push('no X-Request-ID header');
  if (reply.status >= 500) violations.push(`status ${reply.status}`);
  if (reply.status < 400 || reply.status >= 500) return violations;
  const contentType = String(reply.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/problem+json')) violations.push(`Content-Type ${contentType || 'absent'}`);
  if (reply.status === 405 && !reply.headers.allow) violations.push('405 without Allow');
  if (probe.method === 'HEAD') return violations; // no body to check
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(reply.text) as Record<string, unknown>;
  } catch {
    return [...violations, 'body is not JSON'];
  }
  for (const field of ['type', 'title', 'detail'] as const) {
    if (typeof problem[field] !== 'string' || problem[field] === '') violations.push(`no ${field}`);
  }
  if (problem.status !== reply.status) violations.push(`body status ${String(problem.status)}`);
  if (problem.request_id !== requestId) violations.push(`request_id ${String(problem.request_id)} != header`);
  return violations;
}

export interface Verdict {
  origin: Origin;
  violations: string[];
}

/** Judges one outcome against the contract. */
export function judge(probe: Probe, outcome: Outcome): Verdict {
  if (outcome.kind === 'no-reply') return { origin: 'service', violations: [`no reply: ${outcome.error}`] };
  const { reply } = outcome;
  if (isNodeRefusal(reply)) {
    return { origin: 'node', violations: probe.nodeMayRefuse ? [] : [`unexpected ${reply.status} from Node's parser`] };
  }
  return { origin: 'service', violations: serviceViolations(probe, reply) };
}

/** Throws with the request and the response when the verdict has violations. */
export function assertContract(probe: Probe, outcome: Outcome): Verdict {
  const verdict = judge(probe, outcome);
  if (verdict.violations.length > 0) {
    const answer =
      outcome.kind === 'reply'
        ? `${outcome.reply.status} ${JSON.stringify(outcome.reply.headers)} ${outcome.reply.text.slice(0, 500)}`
        : outcome.error;
    throw new Error(`${verdict.violations.join('; ')}\n  request: ${describeProbe(probe)}\n  answer: ${answer}`);
  }
  return verdict;
}

/** Counts what was sent and how it was answered, for the summary a reader sees. */
export class Tally {
  private readonly byStatus = new Map<string, number>();
  private readonly byOrigin = new Map<string, number>();
  sent = 0;

  record(outcome: Outcome, verdict: Verdict): void {
    this.sent += 1;
    const status = outcome.kind === 'reply' ? String(outcome.reply.status) : 'no-reply';
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    if (verdict.origin !== 'service') {
      const key = `${verdict.origin} ${status}`;
      this.byOrigin.set(key, (this.byOrigin.get(key) ?? 0) + 1);
    }
  }

  count(status: number): number {
    return this.byStatus.get(String(status)) ?? 0;
  }

  summary(title: string): string {
    const list = (map: Map<string, number>) =>
      [...map.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, n]) => `${key}: ${n}`)
        .join(', ') || 'none';
    return `${title}: ${this.sent} requests; by status { ${list(this.byStatus)} }; answered before our code { ${list(this.byOrigin)} }\n`;
  }
}
