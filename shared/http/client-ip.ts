// The caller's address for the request log: from X-Forwarded-For as far as our own proxies wrote it, never further.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * Each proxy appends the address it received the request from, so only the entries our own proxies wrote can be
 * believed: with `trustedHops` of them, the client's address is the `trustedHops`-th entry from the right. Anything
 * left of it is whatever the client sent. A header with fewer entries than that was not written by our proxies (a
 * client reached us past them, or sent it with none in front), so then, as when the entry is not an IP address or
 * with 0 hops, the socket's peer is logged.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string | undefined {
  const peer = req.socket.remoteAddress;
  const header = req.headers['x-forwarded-for'];
  if (trustedHops === 0 || typeof header !== 'string' || header === '') return peer;
  // Walk back from the right over at most trustedHops commas; no split of a header the client made long.
  let end = header.length;
  let start = header.lastIndexOf(',', end - 1) + 1;
  for (let hop = 1; hop < trustedHops; hop++) {
    if (start === 0) return peer;
    end = start - 1;
    start = header.lastIndexOf(',', end - 1) + 1;
  }
  const entry = header.slice(start, end).trim();
  return isIP(entry) ? entry : peer;
}
