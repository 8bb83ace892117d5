// The logger: Cloud Logging JSON lines by default, readable lines with LOG_FORMAT=pretty, levels honoured.
import { createLogger } from '../../shared/logging';
import { captureLogs } from '../support/logs';

describe('createLogger', () => {
  it('writes structured JSON lines with severity, message, time and the fields', () => {
    const capture = captureLogs();
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, capture.stream);
    logger.warn('pool is slow', { waiting: 3 });
    expect(capture.logs).toEqual([
      { severity: 'WARNING', message: 'pool is slow', time: expect.stringMatching(/Z$/), waiting: 3 },
    ]);
  });

  it('writes the request line in the same format, and drops lines below the level', () => {
    const capture = captureLogs();
    const logger = createLogger({ logLevel: 'warn', logFormat: 'json' }, capture.stream);
    logger.request('info', 'GET /health 200', { route: '/health' });
    logger.info('not shown');
    logger.request('warn', 'GET /nope 404', { route: 'unmatched' });
    expect(capture.logs).toEqual([
      { severity: 'WARNING', message: 'GET /nope 404', time: expect.stringMatching(/Z$/), route: 'unmatched' },
    ]);
  });

  it('writes readable lines with LOG_FORMAT=pretty, request lines included', () => {
    const capture = captureLogs();
    const logger = createLogger({ logLevel: 'info', logFormat: 'pretty' }, capture.stream);
    logger.info('usersvc listening', { port: 8080 });
    logger.request('info', 'GET /health 200', { httpRequest: { status: 200 }, request_id: 'abc' });
    const lines = capture.output().trim().split('\n');
    expect(lines[0]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} .*info.* usersvc listening \{"port":8080\}$/);
    expect(lines[1]).toMatch(/GET \/health 200 \{"request_id":"abc"\}$/); // httpRequest is left to the JSON format
  });
});
