// The request id: the caller's X-Request-ID when it is a sane token, otherwise a fresh random UUID (version 4).
import { randomUUID } from 'node:crypto';

// Sane: short, printable, no spaces or quotes, so it is safe to echo in a header and a log line.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : newRequestId();
}

export const newRequestId = (): string => randomUUID();
