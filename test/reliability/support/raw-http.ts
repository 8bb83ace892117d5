// A node:http client for hostile requests: any method, path, headers and body framing (chunked, declared length).
import http, { type IncomingHttpHeaders } from 'node:http';

export interface HostileRequest {
  method: string;
  /** Sent as is (node:http refuses only control characters, spaces and bytes above 0xFF). */
  path: string;
  headers?: Record<string, string>;
  /** With `chunked`, written in pieces with no Content-Length so node:http sends Transfer-Encoding: chunked. */
  body?: Buffer | string;
  chunked?: boolean;
  /** Declares this Content-Length; the body sent may be shorter (the server must not wait for the rest). */
  declaredLength?: number;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export type Outcome = { kind: 'reply'; reply: Reply } | { kind: 'no-reply'; error: string };

const REPLY_TIMEOUT_MS = 15_000;
const CHUNK_BYTES = 8 * 1024;

/**
 * Sends one request and resolves with the response, or with why none came. Never rejects: a write error
 * after the server has answered (it may close an oversized upload early) still yields the answer.
 */
export function send(baseUrl: string, request: HostileRequest, agent: http.Agent): Promise<Outcome> {
  const target = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const headers: Record<string, string> = { ...request.headers };
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    if (request.declaredLength !== undefined) headers['content-length'] = String(request.declaredLength);
    else if (body !== undefined && !request.chunked) headers['content-length'] = String(body.length);
    // node:http frames GET, HEAD and DELETE bodies as chunked only when asked to; unasked, it sends them bare.
    else if (request.chunked) headers['transfer-encoding'] = 'chunked';

    let outgoing: http.ClientRequest;
    try {
      outgoing = http.request({
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.path,
        headers,
        agent,
        setHost: !('host' in headers),
      });
    } catch (error) {
      // node:http refuses to send it (e.g. a control character in the path): a bug in the generator.
      return finish({ kind: 'no-reply', error: `not sendable: ${(error as Error).message}` });
    }
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish({ kind: 'no-reply', error: `no reply within ${REPLY_TIMEOUT_MS} ms` });
    }, REPLY_TIMEOUT_MS);

    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        finish({
          kind: 'reply',
          reply: {
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          },
        }),
      );
      response.on('error', (error) => finish({ kind: 'no-reply', error: `response: ${error.message}` }));
    });
    // Give a response that is already on its way a moment to be parsed before calling it a failure.
    outgoing.on('error', (error) => setTimeout(() => finish({ kind: 'no-reply', error: error.message }), 50));

    if (body === undefined) return void outgoing.end();
    if (!request.chunked) return void outgoing.end(body);
    for (let offset = 0; offset < body.length; offset += CHUNK_BYTES) {
      outgoing.write(body.subarray(offset, offset + CHUNK_BYTES));
    }
    outgoing.end();
  });
}
