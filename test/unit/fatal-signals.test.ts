// Request lines are written at the end of the event loop's turn (shared/logging.ts); a crash must not lose them when
// the process gets to run at all. What a crash does is the process's own, so each case runs in a child: the built
// logger on the child's real stdout (a pipe, as in a container), one request's line, then the crash in the same turn.
// Issue 19, row 7.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { FATAL_SIGNALS } from '../../shared/fatal-signals';

const DIST = path.resolve(__dirname, '../../dist/shared');

function crashAfterARequestLine(crash: string, catchFatalSignals: boolean) {
  const script = [
    `const logger = require(${JSON.stringify(`${DIST}/logging.js`)}).createLogger({ logLevel: 'info', logFormat: 'json' });`,
    catchFatalSignals ? `require(${JSON.stringify(`${DIST}/fatal-signals.js`)}).logBeforeFatalSignals(logger);` : '',
    "logger.request('info', 'GET /health 200', { request_id: 'answered-before-the-crash' });",
    crash,
  ].join('\n');
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  const lines = child.stdout
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => JSON.parse(text) as Record<string, unknown>);
  return { lines, status: child.status, signal: child.signal };
}

const requestLine = expect.objectContaining({ request_id: 'answered-before-the-crash', severity: 'INFO' });

describe('request lines when the process crashes', () => {
  it.each([
    ['an uncaught exception', "throw new Error('boom');"],
    ['an unhandled rejection', "Promise.reject(new Error('boom'));"],
  ])('keeps the line of a request answered just before %s', (_crash, crash) => {
    const { lines, status } = crashAfterARequestLine(crash, false);
    expect(status).not.toBe(0);
    expect(lines).toEqual([requestLine]);
  });

  it.each(FATAL_SIGNALS)('keeps it through %s, logs the signal, and still ends by it', (signal) => {
    const { lines, signal: endedBy } = crashAfterARequestLine(`process.kill(process.pid, '${signal}');`, true);
    expect(endedBy).toBe(signal);
    expect(lines).toEqual([
      requestLine,
      expect.objectContaining({ severity: 'ERROR', message: 'fatal signal received: exiting', signal }),
    ]);
  });
});
