// The listing cursor round-trips exactly and refuses anything it did not issue.
import { AppError } from '../../shared/errors';
import { decodeCursor, encodeCursor } from '../../shared/users/cursor';

describe('listing cursor', () => {
  const position = { createdAt: '2026-11-25T16:00:00.123456Z', id: '01a2137b-25cf-711a-ac01-91e996bd1cc0' };

  it('round-trips a position with microsecond precision', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('is opaque URL-safe text', () => {
    expect(encodeCursor(position)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    '',
    'not base64!',
    Buffer.from('{}').toString('base64url'),
    Buffer.from('["2026-11-25T16:00:00Z","01a2137b-25cf-711a-ac01-91e996bd1cc0"]').toString('base64url'),
    Buffer.from('["2026-13-45T16:00:00.000000Z","01a2137b-25cf-711a-ac01-91e996bd1cc0"]').toString('base64url'),
    Buffer.from(`["${position.createdAt}","x"]`).toString('base64url'),
  ])('rejects %p as a 400 on query.cursor', (cursor) => {
    try {
      decodeCursor(cursor);
      throw new Error('accepted an invalid cursor');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
      expect((error as AppError).extras.fieldErrors).toEqual([
        { field: 'query.cursor', message: 'is not a valid cursor' },
      ]);
    }
  });
});
