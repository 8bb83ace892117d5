// Request ids: the caller's when sane, else a fresh random UUID made in batches (shared/http/request-id.ts).
import { newRequestId, requestIdFrom } from '../../shared/http/request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are version 4 UUIDs, all different, across many batches', () => {
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('use every hex digit in every random position', () => {
    // A digit stuck at one value (a wrong shift or mask when a batch is written) shows as a position that never
    // varies; over 2,000 ids each free position takes all 16 digits with near certainty.
    const ids = Array.from({ length: 2000 }, () => newRequestId());
    for (let position = 0; position < 36; position++) {
      const seen = new Set(ids.map((id) => id[position]));
      if ([8, 13, 18, 23].includes(position)) expect([...seen]).toEqual(['-']);
      else if (position === 14) expect([...seen]).toEqual(['4']);
      else if (position === 19) expect(seen.size).toBe(4);
      else expect([position, seen.size]).toEqual([position, 16]);
    }
  });

  it("keep the caller's X-Request-ID when it is a sane token, and replace it otherwise", () => {
    expect(requestIdFrom('abc-123_x.y:z@w/+=')).toBe('abc-123_x.y:z@w/+=');
    for (const header of [undefined, '', 'has space', 'quote"', 'x'.repeat(129), ['a', 'b']]) {
      expect(requestIdFrom(header)).toMatch(UUID_V4);
    }
  });
});
