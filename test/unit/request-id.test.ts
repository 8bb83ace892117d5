// Request ids: the caller's when sane, else a fresh random UUID (shared/http/request-id.ts).
import { newRequestId, requestIdFrom } from '../../shared/http/request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are version 4 UUIDs, all different', () => {
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keep the caller's X-Request-ID when it is a sane token, and replace it otherwise", () => {
    expect(requestIdFrom('abc-123_x.y:z@w/+=')).toBe('abc-123_x.y:z@w/+=');
    for (const header of [undefined, '', 'has space', 'quote"', 'x'.repeat(129), ['a', 'b']]) {
      expect(requestIdFrom(header)).toMatch(UUID_V4);
    }
  });
});
