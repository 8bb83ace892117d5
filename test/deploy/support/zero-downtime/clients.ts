// Small HTTP clients for the drain tests: seeding users, polling /ready as a kubelet would, and one request on a
// keep-alive connection that reports which socket it used and what Connection header came back.
import http from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { call } from '../../../support/http';

/**
 * Creates `count` users through the API and returns their ids, for GET by id under load. `ofThisBuild: false` when
 * the server is another build, whose answers this build's OpenAPI document need not describe.
 */
export async function createUsers(baseUrl: string, count: number, ofThisBuild = true): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const username = `zdseed${process.pid}n${index}n${Date.now()}`;
    const reply = await call<{ id: string }>(baseUrl, 'POST', '/api/v1/users', {
      json: { username, email: `${username}@example.com`, full_name: 'Seeded User' },
      checkAgainstDocument: ofThisBuild,
    });
    if (reply.status !== 201) throw new Error(`seeding failed: ${reply.status} ${reply.text}`);
    ids.push(reply.body.id);
  }
  return ids;
}

export interface ReadinessSample {
  /** performance.now() when the probe was sent and when it settled. */
  at: number;
  endedAt: number;
  status?: number;
  /** The body said checks.shutdown = "draining". */
  draining?: boolean;
  error?: string;
}

export interface ReadinessPoller {
  samples: ReadinessSample[];
  stop(): Promise<void>;
}

/** Polls /ready on a new connection every 50 ms, as the kubelet's probe would, until stopped or refused. */
export function pollReadiness(baseUrl: string): ReadinessPoller {
  const samples: ReadinessSample[] = [];
  let stopped = false;
  const probe = (): Promise<ReadinessSample> =>
    new Promise((resolve) => {
      const at = performance.now();
      const request = http.get(`${baseUrl}/ready`, { agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          const body = JSON.parse(text) as { checks?: { shutdown?: string } };
          const draining = body.checks?.shutdown === 'draining';
          resolve({ at, endedAt: performance.now(), status: response.statusCode, draining });
        });
      });
      request.on('error', (error: Error & { code?: string }) =>
        resolve({ at, endedAt: performance.now(), error: error.code ?? error.message }),
      );
    });
  const running = (async () => {
    while (!stopped) {
      const sample = await probe();
      samples.push(sample);
      if (sample.error === 'ECONNREFUSED') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

export interface KeepAliveReply {
  status?: number;
  connection?: string;
  socket: Socket;
}

/** One request through a keep-alive agent; resolves with the status, the Connection header and the socket used. */
export function keepAliveRequest(
  agent: http.Agent,
  baseUrl: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<KeepAliveReply> {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const headers: http.OutgoingHttpHeaders =
      body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const request = http.request(`${baseUrl}${path}`, { method, agent, headers });
    request.on('response', (response) => {
      const socket = response.socket;
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode, connection: response.headers.connection, socket }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}
