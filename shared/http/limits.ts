// Limits the whole service states once: the request body cap and how long a client waits after a 503.

/** The largest request body accepted; a larger one is refused while streaming, never buffered. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Seconds a client should wait before retrying after the database was unavailable or the process draining. */
export const RETRY_AFTER_SECONDS = 2;
