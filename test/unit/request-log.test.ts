// What the request line says about a request: secret query values redacted, the client address as far as trusted.
import type { IncomingMessage } from 'node:http';
import { clientIp } from '../../shared/http/client-ip';
import { redactUrl } from '../../shared/http/request-log';

describe('redactUrl', () => {
  it.each([
    ['/api/v1/users', '/api/v1/users'],
    ['/api/v1/users?limit=2', '/api/v1/users?limit=2'],
    ['/x?api_key=abc&limit=2', '/x?api_key=[REDACTED]&limit=2'],
    ['/x?API_KEY=abc', '/x?API_KEY=[REDACTED]'],
    ['/x?Token=a&token=b', '/x?Token=[REDACTED]&token=[REDACTED]'],
    [
      '/x?key=1&password=2&secret=3&signature=4',
      '/x?key=[REDACTED]&password=[REDACTED]&secret=[REDACTED]&signature=[REDACTED]',
    ],
    ['/x?api%5Fkey=abc&%6Bey=def', '/x?api%5Fkey=[REDACTED]&%6Bey=[REDACTED]'],
    ['/x?token=', '/x?token=[REDACTED]'],
    ['/x?token', '/x?token'],
    ['/x?monkey=banana&keys=1&tokens=2', '/x?monkey=banana&keys=1&tokens=2'],
    ['/x?a=1&&token=t%26u', '/x?a=1&&token=[REDACTED]'],
    ['/x?%E0%A4%A=1&secret=s', '/x?%E0%A4%A=1&secret=[REDACTED]'],
    // Issue 19: `;` separates parameters too, `[]` marks an array, `x-` prefixes a header-like name.
    ['/x?x=1;token=t&a=2', '/x?x=1;token=[REDACTED]&a=2'],
    ['/x?api_key[]=a&API_KEY%5B%5D=b', '/x?api_key[]=[REDACTED]&API_KEY%5B%5D=[REDACTED]'],
    ['/x?x-api-key=k;X-Token=t', '/x?x-api-key=[REDACTED];X-Token=[REDACTED]'],
    ['/x?x-Signature[]=s;x-keep=1', '/x?x-Signature[]=[REDACTED];x-keep=1'],
  ])('%s → %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it('returns the very string when there is nothing to redact', () => {
    const url = '/api/v1/users?limit=2&cursor=abc';
    expect(redactUrl(url)).toBe(url);
  });
});

describe('clientIp', () => {
  const request = (forwardedFor: string | undefined, peer = '10.1.2.3') =>
    ({
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      socket: { remoteAddress: peer },
    }) as unknown as IncomingMessage;

  it.each([
    // [X-Forwarded-For, trusted hops, logged]
    [undefined, 4, '10.1.2.3'],
    ['203.0.113.9', 0, '10.1.2.3'],
    ['203.0.113.9', 1, '203.0.113.9'],
    ['6.6.6.6, 203.0.113.9', 1, '203.0.113.9'],
    ['6.6.6.6, 203.0.113.9, 10.0.0.1', 2, '203.0.113.9'],
    // Knative behind Google's load balancer (the default, 4): <client>, <load balancer>, <its address as the gateway
    // saw it>, <the gateway's as queue-proxy saw it>; anything further left is the client's own.
    ['6.6.6.6, 198.51.100.20, 34.111.1.1, 35.191.0.5, 10.8.0.12', 4, '198.51.100.20'],
    // A header shorter than the hops was not written by our proxies (none in front, or a client past them).
    ['203.0.113.9, 10.0.0.1', 4, '10.1.2.3'],
    ['1.1.1.1', 4, '10.1.2.3'],
    ['1.1.1.1', 2, '10.1.2.3'],
    ['2001:db8::1, 10.0.0.1', 2, '2001:db8::1'],
    ['1.2.3.4\u00ff\u00fe', 1, '10.1.2.3'],
    ['203.0.113.9:4711', 1, '10.1.2.3'],
    ['unknown, 10.0.0.1', 2, '10.1.2.3'],
    ['', 1, '10.1.2.3'],
    [',', 2, '10.1.2.3'],
  ])('X-Forwarded-For %p with %i trusted hops → %s', (forwardedFor, hops, logged) => {
    expect(clientIp(request(forwardedFor), hops)).toBe(logged);
  });
});
