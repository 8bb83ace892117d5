// The request id: the caller's X-Request-ID when it is a sane token, otherwise a fresh random UUID (version 4).
import { randomFillSync } from 'node:crypto';

// Sane: short, printable, no spaces or quotes, so it is safe to echo in a header and a log line.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : newRequestId();
}

// UUIDs are made 128 at a time, as one string from which each id is a slice. crypto.randomUUID() builds each id
// from twenty short strings (about 600 bytes of garbage a request, and a string that must be flattened before it
// goes into a header or a log line); a slice of a flat string is one small object that points into it.
const BATCH = 128;
const UUID_LENGTH = 36;
const HEX = '0123456789abcdef';
/** Where each of a UUID's 16 bytes goes in its 36 characters (the dashes fall between). */
const BYTE_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const randomBytes = Buffer.alloc(16 * BATCH);
const text = Buffer.alloc(UUID_LENGTH * BATCH, '-');
let batch = '';
let next = BATCH;

function refill(): void {
  randomFillSync(randomBytes);
  for (let id = 0; id < BATCH; id++) {
    const bytes = id * 16;
    // RFC 9562: version 4 in the high nibble of byte 6, the variant (10xx) in the high bits of byte 8.
    randomBytes[bytes + 6] = ((randomBytes[bytes + 6] as number) & 0x0f) | 0x40;
    randomBytes[bytes + 8] = ((randomBytes[bytes + 8] as number) & 0x3f) | 0x80;
    for (let i = 0; i < 16; i++) {
      const byte = randomBytes[bytes + i] as number;
      const at = id * UUID_LENGTH + (BYTE_POSITIONS[i] as number);
      text[at] = HEX.charCodeAt(byte >> 4);
      text[at + 1] = HEX.charCodeAt(byte & 0x0f);
    }
  }
  batch = text.toString('latin1');
  next = 0;
}

/** A random UUID (version 4), from the same source as crypto.randomUUID(). */
export function newRequestId(): string {
  if (next === BATCH) refill();
  const start = next++ * UUID_LENGTH;
  return batch.slice(start, start + UUID_LENGTH);
}
