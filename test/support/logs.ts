// Captures log output as the service writes it: raw text, and each line parsed as the JSON line it should be.
import { Writable } from 'node:stream';

export interface LogLine {
  severity?: string;
  message?: string;
  httpRequest?: Record<string, unknown>;
  request_id?: string;
  [key: string]: unknown;
}

export interface LogCapture {
  /** Where the logger (or a child's stdout) writes. */
  stream: Writable;
  /** Every complete line so far, parsed as JSON where it is JSON. */
  logs: LogLine[];
  /** Everything written so far. */
  output(): string;
  /** Resolves with the first line matching, waiting for it up to timeoutMs. */
  waitFor(matches: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function captureLogs(onLine?: (line: LogLine) => void): LogCapture {
  const logs: LogLine[] = [];
  let raw = '';
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      raw += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) {
        if (!text.trim()) continue;
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          line = { message: text };
        }
        logs.push(line);
        onLine?.(line);
      }
      done();
    },
  });
  return {
    stream,
    logs,
    output: () => raw,
    async waitFor(matches, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = logs.find(matches);
        if (line) return line;
        if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms:\n${raw.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
