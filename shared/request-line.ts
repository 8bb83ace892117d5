// The fields of the one log line per request, and their JSON written by hand: the line is the only log work every
// request does, and JSON.stringify of the whole object cost 0.7 µs on Node 24 and 1.2 µs on Node 20 (bench/README.md,
// "Where per-request CPU goes"). The text is exactly what JSON.stringify gives for the same object; the unit test
// compares the two on every shape and on arbitrary strings.
import type { TraceFields } from './http/trace';

/** Cloud Logging's HttpRequest, as the request line fills it. */
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

/** What a request's line says besides severity, message and time. A class, so the logger knows the shape it formats. */
export class RequestLogFields {
  httpRequest: RequestHttpFields;
  request_id: string;
  route: string;
  /** Only on a 5xx: its cause in one line, and the stack that makes the line an Error Reporting event. */
  declare error?: string;
  declare stack?: string;
  declare 'logging.googleapis.com/trace'?: string;
  declare 'logging.googleapis.com/spanId'?: string;
  declare 'logging.googleapis.com/trace_sampled'?: boolean;

  constructor(
    httpRequest: RequestHttpFields,
    requestId: string,
    route: string,
    failure: { error: string; stack: string } | undefined,
    trace: TraceFields | undefined,
  ) {
    this.httpRequest = httpRequest;
    this.request_id = requestId;
    this.route = route;
    if (failure) {
      this.error = failure.error;
      this.stack = failure.stack;
    }
    // One property at a time, not Object.assign(this, trace): assigning the three long names that way cost Node 20
    // a slow path on every request.
    if (trace) {
      this['logging.googleapis.com/trace'] = trace['logging.googleapis.com/trace'];
      const span = trace['logging.googleapis.com/spanId'];
      if (span !== undefined) this['logging.googleapis.com/spanId'] = span;
      const sampled = trace['logging.googleapis.com/trace_sampled'];
      if (sampled !== undefined) this['logging.googleapis.com/trace_sampled'] = sampled;
    }
  }
}

// Characters JSON.stringify leaves as they are: anything but a quote, a backslash, a control character or half of a
// surrogate pair (a lone one is escaped, a pair is not; either way, JSON.stringify decides).
// eslint-disable-next-line no-control-regex -- the control characters are what must be found
const VERBATIM = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** A string as JSON: most of the line's strings need no escaping, and the test is cheaper than JSON.stringify. */
export const jsonString = (value: string): string => (VERBATIM.test(value) ? `"${value}"` : JSON.stringify(value));

/** JSON.stringify(fields) without its braces, so the logger can splice it after severity, message and time. */
export function requestLineMembers(fields: RequestLogFields): string {
  const http = fields.httpRequest;
  let text =
    `"httpRequest":{"requestMethod":${jsonString(http.requestMethod)},"requestUrl":${jsonString(http.requestUrl)},` +
    `"status":${Number.isFinite(http.status) ? http.status : null},"responseSize":${jsonString(http.responseSize)},` +
    `"latency":${jsonString(http.latency)}`;
  if (http.userAgent !== undefined) text += `,"userAgent":${jsonString(http.userAgent)}`;
  if (http.remoteIp !== undefined) text += `,"remoteIp":${jsonString(http.remoteIp)}`;
  text += `,"protocol":${jsonString(http.protocol)}},"request_id":${jsonString(fields.request_id)}`;
  text += `,"route":${jsonString(fields.route)}`;
  if (fields.error !== undefined) text += `,"error":${jsonString(fields.error)}`;
  if (fields.stack !== undefined) text += `,"stack":${jsonString(fields.stack)}`;
  const trace = fields['logging.googleapis.com/trace'];
  if (trace !== undefined) text += `,"logging.googleapis.com/trace":${jsonString(trace)}`;
  const span = fields['logging.googleapis.com/spanId'];
  if (span !== undefined) text += `,"logging.googleapis.com/spanId":${jsonString(span)}`;
  const sampled = fields['logging.googleapis.com/trace_sampled'];
  if (sampled !== undefined) text += `,"logging.googleapis.com/trace_sampled":${sampled}`;
  return text;
}
