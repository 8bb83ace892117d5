// The listing's opaque cursor: the (created_at, id) of the last row of a page, base64url-encoded.
import { errors } from '../errors';

export interface CursorPosition {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Date.parse rolls 2023-02-29 over to March 1st and accepts year 0, both of which PostgreSQL refuses (a 500 from
// a forged cursor): only a timestamp that survives a round trip through Date, from year 1 on, is one we issued.
function isRealInstant(timestamp: string): boolean {
  if (!TIMESTAMP.test(timestamp) || timestamp.startsWith('0000')) return false;
  const milliseconds = Date.parse(timestamp);
  return !Number.isNaN(milliseconds) && new Date(milliseconds).toISOString().slice(0, 23) === timestamp.slice(0, 23);
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

const invalidCursor = () => errors.validationFailed([{ field: 'query.cursor', message: 'is not a valid cursor' }]);

export function decodeCursor(cursor: string): CursorPosition {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalidCursor();
  const [createdAt, id] = decoded as unknown[];
  if (typeof createdAt !== 'string' || !isRealInstant(createdAt)) throw invalidCursor();
  if (typeof id !== 'string' || !UUID.test(id)) throw invalidCursor();
  return { createdAt, id };
}
