// The access log: the one line each request writes, in Cloud Logging's structured form (httpRequest, request id,
// route template, and on a 5xx the cause and stack that make it an Error Reporting event).
import type { Principal } from './auth/principal';
import type { TraceFields } from './http/trace';

/** Cloud Logging's HttpRequest, as the access log fills it. */
export interface RequestHttpFields {
  requestMethod: string;
  requestUrl: string;
  status: number;
  responseSize: string;
  latency: string;
  userAgent: string | undefined;
  remoteIp: string | undefined;
  protocol: string;
}

/** What a request's line says besides severity, message and time. */
export type AccessLogFields = {
  httpRequest: RequestHttpFields;
  request_id: string;
  route: string;
  /** Who called (shared/auth/principal.ts), when auth is on and the request got that far. */
  principal?: string;
  /** The caller's verified email, when its token carries one (a Google service account's). */
  principal_email?: string;
  /** Only on a 5xx: its cause in one line, and the stack that makes the line an Error Reporting event. */
  error?: string;
  stack?: string;
} & Partial<TraceFields>;

export function accessLogFields(
  httpRequest: RequestHttpFields,
  requestId: string,
  route: string,
  failure: { error: string; stack: string } | undefined,
  trace: TraceFields | undefined,
  principal?: Principal,
): AccessLogFields {
  return {
    httpRequest,
    request_id: requestId,
    route,
    ...(principal !== undefined && principal.via !== 'none' && { principal: principal.id }),
    ...(principal?.email !== undefined && { principal_email: principal.email }),
    ...failure,
    ...trace,
  };
}
