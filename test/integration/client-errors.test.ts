// Requests Node's HTTP parser refuses (shared/http/client-errors.ts), over raw sockets against the in-process node
// server: problem details with a new request id, the connection closed, one WARNING line without the request's bytes.
// Issue 19, row 4. No database is involved, so one backend.
import { useApp } from '../support/app';
import type { LogLine } from '../support/logs';
import { exchangeRaw } from '../support/raw-socket';

// In every request below: were any of the request's bytes logged, this would be in the output.
const MARKER = 'smuggled-marker-7f3a';

const REFUSED: [string, string, number, string, string][] = [
  // [what, request bytes, status, code, the parser's error code]
  [
    'Content-Length and Transfer-Encoding together',
    `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nX-M: ${MARKER}\r\n\r\n0\r\n\r\n`,
    400,
    'MALFORMED_REQUEST',
    'HPE_',
  ],
  [
    'a folded header line (obs-fold)',
    `GET /health HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n ${MARKER}\r\n\r\n`,
    400,
    'MALFORMED_REQUEST',
    'HPE_',
  ],
  [
    'a bad chunk size',
    `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz${MARKER}\r\n`,
    400,
    'MALFORMED_REQUEST',
    'HPE_INVALID_CHUNK_SIZE',
  ],
  ['a lower-case method', `get /health?${MARKER} HTTP/1.1\r\nHost: x\r\n\r\n`, 400, 'MALFORMED_REQUEST', 'HPE_'],
  [
    'a control character in a header value',
    `GET /health HTTP/1.1\r\nHost: x\r\nX-M: ${MARKER}\u0001\r\n\r\n`,
    400,
    'MALFORMED_REQUEST',
    'HPE_',
  ],
  [
    'headers over 16 KiB',
    `GET /health HTTP/1.1\r\nHost: x\r\nX-M: ${MARKER}${'a'.repeat(20 * 1024)}\r\n\r\n`,
    431,
    'HEADERS_TOO_LARGE',
    'HPE_HEADER_OVERFLOW',
  ],
  ['no Host', `GET /health?${MARKER} HTTP/1.1\r\nX-M: ${MARKER}\r\n\r\n`, 400, 'MALFORMED_REQUEST', 'MISSING_HOST'],
];

describe('requests the HTTP parser refuses', () => {
  const running = useApp();

  it.each(REFUSED)(
    'answers %s with problem details and a new X-Request-ID, closes, and logs one WARNING line',
    async (_what, bytes, status, code, parserCode) => {
      const before = running.logs.length;
      // exchangeRaw resolves only once the server has closed the connection.
      const { text, statuses } = await exchangeRaw(running.url, bytes);
      expect(statuses).toEqual([status]);
      const headEnd = text.indexOf('\r\n\r\n');
      const head = text.slice(0, headEnd + 2);
      expect(head).toMatch(/\r\nContent-Type: application\/problem\+json; charset=utf-8\r\n/i);
      expect(head).toMatch(/\r\nConnection: close\r\n/i);
      const requestId = /\r\nX-Request-ID: ([0-9a-f-]{36})\r\n/i.exec(head)?.[1];
      expect(requestId).toBeDefined();
      const problem = JSON.parse(text.slice(headEnd + 4)) as Record<string, unknown>;
      expect(problem).toMatchObject({ status, code, request_id: requestId, type: expect.any(String) });

      const line = await running.waitFor((l: LogLine) => l.request_id === requestId);
      expect(line).toMatchObject({ severity: 'WARNING', status, remote_ip: expect.stringContaining('127.0.0.1') });
      expect(String(line.error_code)).toMatch(new RegExp(`^${parserCode}`));
      expect(running.logs.slice(before).filter((l) => l.request_id === requestId)).toHaveLength(1);
      expect(running.output()).not.toContain(MARKER);
    },
  );
});
