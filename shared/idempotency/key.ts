// What identifies a keyed request: the Idempotency-Key header (IETF draft-ietf-httpapi-idempotency-key-header), the
// caller it belongs to, and a fingerprint of what was asked, so that a key reused for another request is caught.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from '../errors';

/** The longest key accepted; a UUID (36) or a ULID (26) is the usual choice. */
export const MAX_KEY_LENGTH = 255;
const FIELD = 'header.Idempotency-Key';
// Visible ASCII and spaces: what an sf-string may hold (the draft's form, `"…"`), and Stripe's unquoted form.
const PRINTABLE = /^[\x20-\x7e]+$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The request's key: undefined without the header, else its value (the draft's quoted form is unquoted). An empty,
 * overlong or non-ASCII key is 400 VALIDATION_FAILED before anything runs, and so is more than one: the header sent
 * twice (Node joins the lines with ", ") or a list in one line, which would otherwise silently become a third key.
 */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['idempotency-key'];
  if (header === undefined) return undefined;
  const raw = (Array.isArray(header) ? header.join(', ') : header).trim();
  // A quoted key (an sf-string) may hold a comma; two quoted keys joined are not one quoted key, and hold a comma.
  const quoted = /^"([^"]*)"$/.exec(raw);
  const key = quoted ? (quoted[1] as string) : raw;
  const problem =
    key.length === 0
      ? 'must not be empty'
      : key.length > MAX_KEY_LENGTH
        ? `must be at most ${MAX_KEY_LENGTH} characters`
        : !PRINTABLE.test(key)
          ? 'must be printable ASCII'
          : !quoted && key.includes(',')
            ? 'must be one key, sent once (the header was repeated or holds a list)'
            : undefined;
  if (problem) throw errors.validationFailed([{ field: FIELD, message: problem }]);
  return key;
}

/** A digest of the operation and its validated input (key order fixed by the schemas): equal requests, equal digests. */
export const fingerprintOf = (operation: string, input: unknown): string => sha256(JSON.stringify([operation, input]));
