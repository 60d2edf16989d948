/**
 * The PostgreSQL store's table of byte-range locks (locks/shared-locks.ts): each instance
 * that opened the store is a lock instance with a lease it renews every few seconds; the
 * locks of an instance whose lease lapsed (it died, or lost the database for longer than the
 * lease) no longer count and are deleted by whichever instance sees them first. A file's
 * changes hold a transaction-scoped advisory lock on it, so two instances never grant
 * conflicting locks at once.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ByteRangeLock, LockKind } from '../../locks/lock-manager.ts';
import type { OwnerLocks, SharedLockTable } from '../../locks/shared-locks.ts';
import { pgError } from '../../../postgres/errors.ts';

/** How long an instance's locks count after its last renewal. */
export const LOCK_LEASE_MS = 20_000;
const RENEW_EVERY_MS = 5_000;
const NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

interface Row {
  instance: string;
  owner: string;
  kind: LockKind;
  range_start: string;
  range_end: string;
}

export class PgRangeLocks implements SharedLockTable {
  /** This process's lock instance: a restarted dfs is a new one (clients reclaim their locks). */
  readonly instance = randomUUID();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly leaseMs = LOCK_LEASE_MS,
  ) {
    this.timer = setInterval(() => void this.renew().catch(() => undefined), RENEW_EVERY_MS);
    this.timer.unref();
  }

  /** Starts (and later renews) this instance's lease; forgets lapsed instances and their locks. */
  async renew(): Promise<void> {
    await this.pool.query(
      `WITH lapsed AS (DELETE FROM lock_leases WHERE renewed < ${NOW_MS} - $2 RETURNING instance),
            gone AS (DELETE FROM range_locks WHERE instance IN (SELECT instance FROM lapsed))
       INSERT INTO lock_leases (instance, renewed) VALUES ($1, ${NOW_MS})
       ON CONFLICT (instance) DO UPDATE SET renewed = excluded.renewed`,
      [this.instance, this.leaseMs * 3],
    );
  }

  async foreign(fileid: number): Promise<ByteRangeLock[]> {
    try {
      return toLocks((await this.pool.query<Row>(FOREIGN, [fileid, this.instance, this.leaseMs])).rows);
    } catch (err) {
      throw pgError(err);
    }
  }

  async withFile(fileid: number, decide: (foreign: readonly ByteRangeLock[]) => OwnerLocks[]): Promise<void> {
    const client = await this.pool.connect().catch((err: unknown) => {
      throw pgError(err);
    });
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('range_locks:' || $1, 0))`, [fileid]);
      const changes = decide(toLocks((await client.query<Row>(FOREIGN, [fileid, this.instance, this.leaseMs])).rows));
      for (const { owner, locks } of changes) {
        await client.query('DELETE FROM range_locks WHERE fileid = $1 AND instance = $2 AND owner = $3', [
          fileid,
          this.instance,
          owner,
        ]);
        if (locks.length === 0) continue;
        await client.query(
          `INSERT INTO range_locks (fileid, instance, owner, kind, range_start, range_end)
           SELECT $1, $2, $3, k, s::numeric, e::numeric FROM unnest($4::text[], $5::text[], $6::text[]) AS t(k, s, e)`,
          [
            fileid,
            this.instance,
            owner,
            locks.map((l) => l.kind),
            locks.map((l) => l.start.toString()),
            locks.map((l) => l.end.toString()),
          ],
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw pgError(err);
    } finally {
      client.release();
    }
  }

  /** Drops this instance's lease and locks (a clean stop: its clients' locks go with it). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.pool
      .query('WITH gone AS (DELETE FROM range_locks WHERE instance = $1) DELETE FROM lock_leases WHERE instance = $1', [
        this.instance,
      ])
      .catch(() => undefined);
  }
}

const FOREIGN = `SELECT r.instance, r.owner, r.kind, r.range_start::text, r.range_end::text
  FROM range_locks r JOIN lock_leases l ON l.instance = r.instance
  WHERE r.fileid = $1 AND r.instance <> $2 AND l.renewed >= ${NOW_MS} - $3`;

/** Other instances' owners are prefixed with their instance, so they never pass for a local owner. */
const toLocks = (rows: Row[]): ByteRangeLock[] =>
  rows.map((r) => ({
    owner: `${r.instance}/${r.owner}`,
    kind: r.kind,
    start: BigInt(r.range_start),
    end: BigInt(r.range_end),
  }));
