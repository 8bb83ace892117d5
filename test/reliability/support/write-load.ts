// Mixed load for the database-edge tests (session terminations, a PostgreSQL restart): keyed creates, unkeyed
// creates, PATCHes with If-Match and reads, each on its own loops until stopped. It books every answer, what each
// acknowledged, and every way an answer broke the contract (a 500, no answer, a 503 a client cannot act on).
import { randomUUID } from 'node:crypto';

const REQUEST_TIMEOUT_MS = 20_000;

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

export type Kind = 'keyed-create' | 'unkeyed-create' | 'patch' | 'read';

export interface LoadShape {
  keyedCreates: number;
  unkeyedCreates: number;
  patches: number;
  reads: number;
}

interface KeyedWrite {
  key: string;
  username: string;
  /** The id a 201 gave, once one has. */
  id?: string;
}

/** What is wrong with a 503, if anything: problem+json, Retry-After, a code, and the request id. */
export function unavailableDefects(answer: Answer): string[] {
  const defects: string[] = [];
  if (answer.headers.get('retry-after') === null) defects.push('no Retry-After');
  if (!answer.headers.get('content-type')?.startsWith('application/problem+json')) defects.push('not problem+json');
  if (answer.body?.code !== 'DATABASE_UNAVAILABLE') defects.push(`code ${String(answer.body?.code)}`);
  if (!answer.body?.request_id || answer.body.request_id !== answer.headers.get('x-request-id')) {
    defects.push('request_id missing or not the X-Request-ID');
  }
  return defects;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WriteLoad {
  /** "kind status" to count, e.g. "keyed-create 503". */
  readonly counts = new Map<string, number>();
  readonly defects: string[] = [];
  /** Ids of users the API acknowledged creating (201), keyed or not. */
  readonly acknowledged = new Set<string>();
  /** Users made before the load (the PATCH and read targets). */
  readonly seeded = new Set<string>();
  /** Unkeyed creates answered 503: none of these may exist afterwards. */
  readonly refusedUsernames: string[] = [];
  /** PATCHes that found their user changed by a PATCH of their own answered 503 (committed, reply lost). */
  lostPatchReplies = 0;
  private readonly keyed: KeyedWrite[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private serial = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly label: string,
  ) {}

  async request(method: string, path: string, json?: unknown, extra: Record<string, string> = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...this.headers, ...extra };
    if (json !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body };
  }

  /** Sends and books one request; `allowed` are the statuses the contract permits besides 503. */
  private async book(kind: Kind, allowed: number[], send: () => Promise<Answer>): Promise<Answer | undefined> {
    let answer: Answer;
    try {
      answer = await send();
    } catch (error) {
      this.count(`${kind} no-answer`);
      this.defects.push(`${kind}: no answer (${String(error)})`);
      return undefined;
    }
    this.count(`${kind} ${answer.status}`);
    if (answer.status === 503) {
      for (const defect of unavailableDefects(answer)) this.defects.push(`${kind} 503: ${defect}`);
    } else if (!allowed.includes(answer.status)) {
      this.defects.push(`${kind}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer;
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private newUser() {
    const username = `${this.label}${process.pid}n${++this.serial}`;
    return { username, email: `${username}@example.com`, full_name: 'Edge Test' };
  }

  /** Creates a user before the load starts (retried through an outage left by an earlier phase). */
  async seed(): Promise<{ id: string; etag: string }> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const answer = await this.request('POST', '/api/v1/users', this.newUser());
      if (answer.status === 201) {
        const id = String(answer.body?.id);
        this.seeded.add(id);
        return { id, etag: answer.headers.get('etag') ?? '' };
      }
      await sleep(200);
    }
    throw new Error('could not seed a user');
  }

  start(shape: LoadShape, patchTargets: { id: string; etag: string }[], readIds: string[]): void {
    this.running = true;
    const times = (n: number, loop: (index: number) => Promise<void>) =>
      Array.from({ length: n }, (_, index) => loop(index));
    this.loops = [
      ...times(shape.keyedCreates, () => this.keyedCreates()),
      ...times(shape.unkeyedCreates, () => this.unkeyedCreates()),
      ...times(shape.patches, (index) => this.patches(patchTargets[index % patchTargets.length] as never)),
      ...times(shape.reads, (index) => this.reads(readIds[index % readIds.length] as string)),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async keyedCreates(): Promise<void> {
    while (this.running) {
      const user = this.newUser();
      const write: KeyedWrite = { key: randomUUID(), username: user.username };
      this.keyed.push(write);
      const answer = await this.book('keyed-create', [201], () =>
        this.request('POST', '/api/v1/users', user, { 'idempotency-key': write.key }),
      );
      if (answer?.status === 201) this.acknowledge(write, answer);
    }
  }

  private acknowledge(write: KeyedWrite, answer: Answer): void {
    write.id = String(answer.body?.id);
    this.acknowledged.add(write.id);
  }

  private async unkeyedCreates(): Promise<void> {
    while (this.running) {
      const user = this.newUser();
      const answer = await this.book('unkeyed-create', [201], () => this.request('POST', '/api/v1/users', user));
      if (answer?.status === 201) this.acknowledged.add(String(answer.body?.id));
      else if (answer?.status === 503) this.refusedUsernames.push(user.username);
    }
  }

  private async patches(target: { id: string; etag: string }): Promise<void> {
    let etag = target.etag;
    let lastWas503 = false;
    while (this.running) {
      const answer = await this.book('patch', [200, 412], () =>
        this.request(
          'PATCH',
          `/api/v1/users/id/${target.id}`,
          { full_name: `Edge ${++this.serial}` },
          { 'if-match': etag },
        ),
      );
      if (answer?.status === 412 && !lastWas503) this.defects.push(`patch: 412 with the ETag of its own last write`);
      if (answer?.status === 412) this.lostPatchReplies++;
      if (answer?.status === 200) etag = answer.headers.get('etag') ?? etag;
      else etag = (await this.currentEtag(target.id)) ?? etag;
      lastWas503 = answer?.status === 503;
    }
  }

  private async currentEtag(id: string): Promise<string | undefined> {
    while (this.running) {
      const answer = await this.book('read', [200], () => this.request('GET', `/api/v1/users/id/${id}`));
      if (answer?.status === 200) return answer.headers.get('etag') ?? undefined;
      await sleep(50);
    }
    return undefined;
  }

  private async reads(id: string): Promise<void> {
    while (this.running) await this.book('read', [200], () => this.request('GET', `/api/v1/users/id/${id}`));
  }

  /**
   * Sends every keyed create that got no 201 again with its key, as a client retrying on 503 would, until it does:
   * each runs once, or replays the response of the run that committed.
   */
  async settleKeyedWrites(): Promise<{ retried: number; replayed: number }> {
    let retried = 0;
    let replayed = 0;
    for (const write of this.keyed.filter((w) => w.id === undefined)) {
      retried++;
      for (let attempt = 0; ; attempt++) {
        const answer = await this.request(
          'POST',
          '/api/v1/users',
          { username: write.username, email: `${write.username}@example.com`, full_name: 'Edge Test' },
          { 'idempotency-key': write.key },
        );
        if (answer.status === 201) {
          if (answer.headers.get('idempotent-replayed') === 'true') replayed++;
          this.acknowledge(write, answer);
          break;
        }
        if (![503, 409].includes(answer.status) || attempt > 100) {
          this.defects.push(`keyed retry: ${answer.status} ${JSON.stringify(answer.body)}`);
          break;
        }
        await sleep(100);
      }
    }
    return { retried, replayed };
  }

  /** Keys the API acknowledged (201, first run or replay). */
  acknowledgedKeys(): number {
    return this.keyed.filter((write) => write.id !== undefined).length;
  }

  summary(): string {
    const parts = [...this.counts.entries()].sort().map(([key, count]) => `${key} ×${count}`);
    const total = [...this.counts.values()].reduce((sum, count) => sum + count, 0);
    return `${total} requests: ${parts.join(', ')}`;
  }
}
