import { DittoError } from '../../shared/errors.ts';

/** PostgreSQL's failures as the errors clients get. */
export function pgError(err: unknown): unknown {
  if (err instanceof DittoError) return err;
  const e = err as { code?: string; message?: string };
  // A refused connection to a name with several addresses is an AggregateError with no message.
  const message = e.message || e.code || String(err);
  if (e.code === '53100') return new DittoError('NO_SPACE', `PostgreSQL: ${message}`);
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '57P01' || e.code === '57P03') {
    return new DittoError('RETRY_LATER', `PostgreSQL is unreachable: ${message}`);
  }
  if (/timeout/i.test(message)) return new DittoError('RETRY_LATER', `PostgreSQL did not answer in time: ${message}`);
  return new DittoError('IO', `PostgreSQL: ${message}`);
}
