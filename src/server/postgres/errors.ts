import { DittoError } from '../../shared/errors.ts';

/** Socket errors of a lost or refused connection. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT']);
/**
 * SQLSTATEs of a server going away or not accepting connections yet: class 08 (connection
 * exception), 57P01 admin_shutdown (a restart, pg_terminate_backend), 57P02 crash_shutdown,
 * 57P03 cannot_connect_now (starting up or recovering).
 */
const SERVER_GONE = /^(08...|57P0[123])$/;
/** serialization_failure, deadlock_detected, lock_not_available. */
const CONFLICT_CODES = new Set(['40001', '40P01', '55P03']);
/** What `pg` says when the socket closes under a query, or a client that lost it is used again. */
const CONNECTION_LOST = /Connection terminated|connection error and is not queryable|Client was closed/i;

/** The server cannot be reached now: a retry may succeed in a few seconds. */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  return (
    CONNECTION_CODES.has(code) ||
    SERVER_GONE.test(code) ||
    (typeof e?.message === 'string' && CONNECTION_LOST.test(e.message))
  );
}

/**
 * PostgreSQL's failures as the errors clients get. A lost server or a conflict is RETRY_LATER
 * (NFS3ERR_JUKEBOX, STATUS_INSUFFICIENT_RESOURCES, HTTP 503): NFS clients wait and resend
 * (RFC 1813 §2.6), so a restart of a few seconds is a delay, not an application error.
 */
export function pgError(err: unknown): unknown {
  if (err instanceof DittoError) return err;
  const e = err as { code?: string; message?: string };
  // A refused connection to a name with several addresses is an AggregateError with no message.
  const message = e.message || e.code || String(err);
  if (e.code === '53100') return new DittoError('NO_SPACE', `PostgreSQL: ${message}`);
  // Rolled back for a conflict with another transaction, or a NOWAIT lock found taken: try again.
  if (e.code !== undefined && CONFLICT_CODES.has(e.code))
    return new DittoError('RETRY_LATER', `PostgreSQL: ${message}`);
  const errors = (err as { errors?: unknown[] }).errors;
  if (isConnectionLoss(err) || (Array.isArray(errors) && errors.some(isConnectionLoss))) {
    return new DittoError('RETRY_LATER', `PostgreSQL is unreachable: ${message}`);
  }
  if (/timeout/i.test(message)) return new DittoError('RETRY_LATER', `PostgreSQL did not answer in time: ${message}`);
  return new DittoError('IO', `PostgreSQL: ${message}`);
}
