// The request and response shapes the handlers work with: plain data, no framework objects.
import type { IncomingHttpHeaders } from 'node:http';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Path parameters captured by the route template, already URL-decoded. */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body's bytes when one was sent and fit within the limit. */
  rawBody?: Buffer;
  /** Set when the body exceeded the limit; its bytes were not kept. */
  bodyTooLarge: boolean;
  requestId: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json. */
  contentType?: string;
}

export type Handler = (request: ApiRequest) => Promise<ApiResponse>;

export interface Route {
  method: Method;
  /** Template with :name segments, e.g. /api/v1/users/id/:id; also the metrics label. */
  path: string;
  handler: Handler;
  /** Probes stay open when API_KEY is set. */
  public?: boolean;
}
