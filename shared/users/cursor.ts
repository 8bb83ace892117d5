// The listing's opaque cursor: the (created_at, id) of the last row of a page, base64url-encoded.
import { AppError } from '../errors';

export interface CursorPosition {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

const invalidCursor = () =>
  new AppError('VALIDATION_FAILED', 'The cursor is not one this API issued.', {
    fieldErrors: [{ field: 'query.cursor', message: 'is not a valid cursor' }],
  });

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
  if (typeof createdAt !== 'string' || !TIMESTAMP.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    throw invalidCursor();
  }
  if (typeof id !== 'string' || !UUID.test(id)) throw invalidCursor();
  return { createdAt, id };
}
