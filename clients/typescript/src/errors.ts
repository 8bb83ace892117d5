// What a call can throw. Every failure is a UsersvcError carrying the X-Request-ID that was sent (the service logs
// it on every line), so a caller can quote it; a ProblemError also carries the service's problem details, typed.
import type { components } from './schema';

export type Problem = components['schemas']['Problem'];
/** Every error code the service can answer with (the catalogue in its OpenAPI document). */
export type ProblemCode = Problem['code'];

export class UsersvcError extends Error {
  override name = 'UsersvcError';
  constructor(
    message: string,
    /** The X-Request-ID of the call: the one sent, or the service's when it answered with its own. */
    readonly requestId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The service answered with RFC 9457 problem details (application/problem+json). */
export class ProblemError extends UsersvcError {
  override name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Milliseconds the service asked us to wait (Retry-After), on a 503. */
    readonly retryAfterMs?: number,
  ) {
    super(`${status} ${problem.code}: ${problem.detail}`, problem.request_id);
  }

  get code(): ProblemCode {
    return this.problem.code;
  }

  /** For VALIDATION_FAILED: each field and what is wrong with it. */
  get errors(): NonNullable<Problem['errors']> {
    return this.problem.errors ?? [];
  }
}

/** An error status without problem details: something between us and the service answered (a proxy's 502 page). */
export class HttpError extends UsersvcError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly body: string,
    requestId: string,
  ) {
    super(`${status} from the service without problem details: ${body.slice(0, 200)}`, requestId);
  }
}

/** An attempt took longer than the client's timeoutMs (no answer, or a body that never finished). */
export class TimeoutError extends UsersvcError {
  override name = 'TimeoutError';
  constructor(
    readonly timeoutMs: number,
    requestId: string,
    cause?: unknown,
  ) {
    super(`no complete answer within ${timeoutMs} ms`, requestId, { cause });
  }
}
