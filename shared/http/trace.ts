// The Cloud Logging trace fields, sampled flag included, from W3C traceparent or Google's X-Cloud-Trace-Context.
import type { IncomingHttpHeaders } from 'node:http';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
// Bounded groups, so linear time, whatever the regex linter guesses.
// eslint-disable-next-line security/detect-unsafe-regex
const CLOUD_TRACE_CONTEXT = /^([\da-f]{32})(?:\/(\d+))?(?:;o=([01]))?/i;

export interface TraceFields {
  'logging.googleapis.com/trace': string;
  'logging.googleapis.com/spanId'?: string;
  /** From the header's sampled flag (traceparent's flags bit 0, X-Cloud-Trace-Context's `o=`); absent without one. */
  'logging.googleapis.com/trace_sampled'?: boolean;
}

/** The Cloud Logging trace fields for this request, or undefined off GCP or without a trace header. */
export function traceFields(headers: IncomingHttpHeaders, project: string | undefined): TraceFields | undefined {
  if (!project) return undefined;
  const traceparent = headers.traceparent;
  const w3c = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null;
  if (w3c?.[1] && !/^0+$/.test(w3c[1])) {
    return {
      'logging.googleapis.com/trace': `projects/${project}/traces/${w3c[1]}`,
      'logging.googleapis.com/spanId': w3c[2],
      'logging.googleapis.com/trace_sampled': (Number.parseInt(w3c[3] ?? '0', 16) & 1) === 1,
    };
  }
  const cloud = headers['x-cloud-trace-context'];
  const google = typeof cloud === 'string' ? CLOUD_TRACE_CONTEXT.exec(cloud) : null;
  if (google?.[1]) {
    const trace = `projects/${project}/traces/${google[1].toLowerCase()}`;
    if (google[3] === undefined) return { 'logging.googleapis.com/trace': trace };
    return { 'logging.googleapis.com/trace': trace, 'logging.googleapis.com/trace_sampled': google[3] === '1' };
  }
  return undefined;
}
