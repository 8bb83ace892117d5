// Small HTTP client for tests: JSON in, status, headers and parsed body out, the body checked against the OpenAPI
// document (openapi-responses.ts).
import { checkAgainstOpenApi } from './openapi-responses';

export interface Reply<Body = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: Body;
  text: string;
}

export async function call<Body = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    json?: unknown;
    body?: string | Buffer;
    headers?: Record<string, string>;
    /** false for a server that is not this build (the compatibility tests' previous build): its document differs. */
    checkAgainstDocument?: boolean;
  } = {},
): Promise<Reply<Body>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(baseUrl + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (options.checkAgainstDocument !== false) {
    checkAgainstOpenApi(method, path, response.status, response.headers.get('content-type'), parsed);
  }
  return { status: response.status, headers: response.headers, body: parsed as Body, text };
}
