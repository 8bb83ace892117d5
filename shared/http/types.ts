// The request and response shapes the handlers work with (plain data, no framework objects), and what an app
// hands every handler.
import type { IncomingHttpHeaders } from 'node:http';
import type { Authenticator } from '../auth/authenticate';
import type { Principal } from '../auth/principal';
import type { Scope } from '../auth/scopes';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { SchemaCheck } from '../db/schema';
import type { ErrorCode } from '../errors';
import type { Drain } from '../drain';
import type { Logger } from '../logging';
import type { Metrics } from '../metrics';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Path parameters captured by the route template, already URL-decoded. */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body's bytes when one was sent (a body over the limit is refused before any handler runs). */
  rawBody?: Buffer;
  requestId: string;
  /** The caller, as authenticated; ANONYMOUS on public routes and when auth is off. */
  principal: Principal;
}

export interface ApiResponse {
  status: number;
  /** A string is sent as text, a Buffer as bytes (contentType as given, no charset added), anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json. */
  contentType?: string;
}

/** What an app was built with (see functions/app.ts); every handler gets it with the request. */
export interface AppContext {
  config: Config;
  db: Database;
  logger: Logger;
  drain: Drain;
  metrics: Metrics;
  /** Checks credentials and scopes (shared/auth). */
  auth: Authenticator;
  /** Whether the database has the schema this build needs; `db` already waits for it. */
  schema: SchemaCheck;
  /** The OpenAPI document of this app's routes, built once, when first read. */
  readonly openApiDocument: object;
}

export type Handler = (request: ApiRequest, app: AppContext) => Promise<ApiResponse>;

/** A response a route can give besides its errors, for the OpenAPI document. */
export interface SuccessDoc {
  status: number;
  description: string;
  /** A schema under components.schemas, or an inline JSON Schema; none for an empty body. */
  schema?: string | object;
  contentType?: string;
  /** Response headers: name and description. */
  headers?: Record<string, string>;
}

export interface Route {
  method: Method;
  /** Template with :name segments, e.g. /api/v1/users/id/:id; also the metrics label. */
  path: string;
  handler: Handler;
  /** What a caller must hold when auth is on; a route without one is public (probes, the document, /docs). */
  scope?: Scope;
  /** The OpenAPI operation: what it does, its input, and what it answers. */
  summary: string;
  /** Query parameters (name, JSON Schema, description). */
  query?: readonly { name: string; schema: object; description?: string }[];
  /** Request headers the operation reads (name, description, and a JSON Schema when more than a string). */
  headers?: readonly { name: string; description: string; schema?: object }[];
  /** The request body's schema under components.schemas. */
  body?: string;
  responses: readonly SuccessDoc[];
  /** Errors the handler itself raises; the pipeline's own (auth, 405, 503 ...) are added for every route. */
  errors?: readonly ErrorCode[];
  /** Served but left out of the OpenAPI document (the /docs page and its assets are not part of the API). */
  undocumented?: true;
}
