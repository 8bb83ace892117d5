// Classifies driver errors (pg and PGlite raise the same SQLSTATE codes) into what the API answers.
import { errors } from '../errors';
import { REQUIRED_MIGRATION } from './schema';

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  /** Set by Node on a failed system call (connect, read, write, getaddrinfo ...): a socket error. */
  syscall?: unknown;
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
  // Misconfiguration (wrong password, role or database) leaves no usable database either: 503, not a 500 bug.
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name
]);
// A write that lost to a concurrent one (each statement is its own transaction, rolled back whole): worth retrying,
// and a conflict (409) if it keeps losing, not an outage.
const conflictSqlStates = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);
const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'ENOTCONN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'EPIPE',
  // Out of file descriptors (process, system) or socket buffers: no socket to the database can be opened.
  'EMFILE',
  'ENFILE',
  'ENOBUFS',
]);
// Node's own socket and TLS failures on the way to the database (a TLS handshake refused, a certificate that does not
// verify: misconfiguration, which leaves no usable database either).
const socketErrorPrefixes = [
  'ERR_SOCKET_',
  'ERR_TLS_',
  'ERR_SSL_',
  'CERT_',
  'UNABLE_TO_',
  'DEPTH_ZERO_',
  'SELF_SIGNED_',
];
// pg reports a dropped connection, a connect timeout and a client-side query timeout by message only.
const unavailableMessages =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended unexpectedly|database is shutting down|Cannot use a pool after calling end/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message, syscall } = asDriverError(error);
  // Any failed system call on the way to the database (connect, read, write, DNS) is a socket error: 503, not 500.
  if (typeof syscall === 'string') return true;
  if (
    typeof code === 'string' &&
    (unavailableSqlStates.has(code) ||
      code.startsWith('08') ||
      networkErrorCodes.has(code) ||
      socketErrorPrefixes.some((prefix) => code.startsWith(prefix)))
  ) {
    return true;
  }
  return typeof message === 'string' && unavailableMessages.test(message);
}

/** A deadlock or serialization failure: the statement was rolled back and may simply be run again. */
export function isWriteConflict(error: unknown): boolean {
  const { code } = asDriverError(error);
  return typeof code === 'string' && conflictSqlStates.has(code);
}

// A table or column the code needs is not there: the schema is behind this build (or was migrated down under it).
const schemaSqlStates = new Set([
  '42P01', // undefined_table
  '42703', // undefined_column
]);

/**
 * Rethrows an outage as the API's 503 error, a schema behind this build as 503 SCHEMA_NOT_READY, and a lost write
 * race as 409; any other error passes through.
 */
export function translateDriverError(error: unknown): unknown {
  if (isWriteConflict(error)) return errors.writeConflict(error);
  const { code } = asDriverError(error);
  if (typeof code === 'string' && schemaSqlStates.has(code)) return errors.schemaNotReady(REQUIRED_MIGRATION, error);
  return isDatabaseUnavailable(error) ? errors.databaseUnavailable(error) : error;
}
