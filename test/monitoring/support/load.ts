// A little API traffic for Prometheus to see: creates, reads by id and by username, list pages and a lookup that
// misses, sent at a steady rate and split between two services by a share the test can change while it runs.
export interface Load {
  /** Requests answered so far, by which service answered and whether it was a 5xx. */
  counts: { stable: number; candidate: number; candidateErrors: number };
  stop(): Promise<void>;
}

export interface LoadOptions {
  stableUrl: string;
  candidateUrl: string;
  /** The candidate's share of the requests, 0 to 100, read before every request. */
  candidatePercent: () => number;
  requestsPerSecond: number;
}

export function startLoad(options: LoadOptions): Load {
  const counts = { stable: 0, candidate: 0, candidateErrors: 0 };
  const known: { id: string; username: string }[] = [];
  let share = 0;
  let sequence = 0;
  let running = true;
  const inFlight = new Set<Promise<void>>();

  // The next request: a create one time in four, else reads of users created earlier. The kind is drawn at random,
  // not taken in turn, so that the split (which is taken in turn) gives both services the same mix.
  function nextRequest(): { method: string; path: string; body?: string } {
    const n = sequence++;
    const kind = Math.floor(Math.random() * 8);
    const user = known[n % Math.max(known.length, 1)];
    if (kind < 2 || !user) {
      const name = `load${process.pid}x${n}x${Math.random().toString(36).slice(2, 8)}`;
      return {
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({ username: name, email: `${name}@example.com`, full_name: 'Load Test' }),
      };
    }
    if (kind < 4) return { method: 'GET', path: `/api/v1/users/id/${user.id}` };
    if (kind < 6) return { method: 'GET', path: `/api/v1/users/username/${user.username}` };
    return kind === 6
      ? { method: 'GET', path: '/api/v1/users?limit=5' }
      : { method: 'GET', path: '/api/v1/users/username/nobody-by-this-name' };
  }

  async function send(): Promise<void> {
    // The traffic split as Knative does it: each request goes to the candidate with its share's probability, made
    // deterministic by carrying the remainder, so a 10% share is exactly every tenth request.
    share += options.candidatePercent() / 100;
    const toCandidate = share >= 1;
    if (toCandidate) share -= 1;
    const request = nextRequest();
    try {
      const reply = await fetch(`${toCandidate ? options.candidateUrl : options.stableUrl}${request.path}`, {
        method: request.method,
        headers: request.body ? { 'content-type': 'application/json' } : {},
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await reply.text();
      if (toCandidate) {
        counts.candidate++;
        if (reply.status >= 500) counts.candidateErrors++;
      } else {
        counts.stable++;
      }
      if (reply.status === 201) {
        const created = JSON.parse(text) as { id: string; username: string };
        known.push({ id: created.id, username: created.username });
      }
    } catch {
      if (toCandidate) counts.candidateErrors++;
    }
  }

  const timer = setInterval(() => {
    if (!running) return;
    const sent = send();
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }, 1000 / options.requestsPerSecond);

  return {
    counts,
    async stop() {
      running = false;
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
