// Classifies driver errors (pg and PGlite raise the same SQLSTATE codes) into what the API answers.
import { errors } from '../errors';

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

const asDriverError = (error: unknown): DriverError =>
  typeof error === 'object' && error !== null ? (error as DriverError) : {};

/** The violated unique constraint's name, or undefined when the error is something else. */
export function uniqueViolation(error: unknown): string | undefined {
  const { code, constraint } = asDriverError(error);
  return code === '23505' ? String(constraint ?? '') : undefined;
}

// SQLSTATE classes and codes that mean "the database is not serving us right now", not "your input is bad".
const unavailableSqlStates = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled (statement_timeout)
  '53300', // too_many_connections
  '53200', // out_of_memory
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  // Misconfiguration (wrong password, role or database) leaves no usable database either: 503, not a 500 bug.
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name
]);
const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
// pg reports a dropped connection, a connect timeout and a client-side query timeout by message only.
const unavailableMessages =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended unexpectedly|database is shutting down|Cannot use a pool after calling end/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = asDriverError(error);
  if (
    typeof code === 'string' &&
    (unavailableSqlStates.has(code) || code.startsWith('08') || networkErrorCodes.has(code))
  ) {
    return true;
  }
  return typeof message === 'string' && unavailableMessages.test(message);
}

/** Rethrows an outage as the API's 503 error; any other error passes through unchanged. */
export function translateDriverError(error: unknown): unknown {
  return isDatabaseUnavailable(error) ? errors.databaseUnavailable(error) : error;
}
