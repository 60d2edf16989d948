/**
 * What an operator needs to know of one PostgreSQL pool: can the server be reached now,
 * and how many connections are in use. The stores on PostgreSQL expose one each; the
 * runtime probes them for /health/ready, alerts and the cluster view.
 */
import type pg from 'pg';
import { DittoError } from '../../shared/errors.ts';
import { pgError } from './errors.ts';

export interface PoolUse {
  /** Connections open (idle + in use). */
  total: number;
  idle: number;
  /** Callers waiting for a connection: the pool is exhausted while this is above 0. */
  waiting: number;
  /** The pool's size. */
  max: number;
}

export class PoolHealth {
  constructor(private readonly pool: pg.Pool) {}

  use(): PoolUse {
    const { pool } = this;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
  }

  /**
   * One round trip on a pooled connection; rejects with RETRY_LATER when the server cannot
   * be reached or has not answered within `timeoutMs` (an exhausted pool counts: a caller
   * would wait as long).
   */
  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DittoError('RETRY_LATER', `PostgreSQL did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const query = this.pool.query('SELECT 1').catch((err: unknown) => {
      throw pgError(err);
    });
    // A query that loses the race still settles later; nobody waits for it.
    query.catch(() => undefined);
    try {
      await Promise.race([query, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
