/**
 * The block index of an S3 store served by several dfs instances, in PostgreSQL: which
 * content (`cas/<sha256>`) each block key holds (`refs`), and each content's size, whether
 * its object is in S3 yet, and when it was last claimed or lost a reference (`contents`).
 * Every instance reads and changes the same rows, so a block one instance wrote is found by
 * every other, and garbage collection counts every instance's references.
 *
 * Times come from the database's clock (no instance clock is compared with another's).
 * A content is safe from collection for the grace period after it was last touched; the
 * collector deletes a row and its object in one transaction holding the row's lock, so a
 * writer that claims the content at that moment waits and then uploads it again
 * (docs/cluster.md, "Several instances, one share").
 */
import type pg from 'pg';
import type { PostgresConfig } from '../../../postgres/config.ts';
import { pgError } from '../../../postgres/errors.ts';
import { PoolHealth } from '../../../postgres/pool-health.ts';
import { openSchema } from '../../../postgres/schema.ts';

/** Append new steps, never edit shipped ones (postgres/schema.ts). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE contents (
     hash TEXT PRIMARY KEY,
     size INTEGER NOT NULL,
     uploaded BOOLEAN NOT NULL,
     touched BIGINT NOT NULL
   );
   -- C collation: a key prefix is a range scan of the primary key ('~' sorts after every key character).
   CREATE TABLE refs (key TEXT COLLATE "C" PRIMARY KEY, hash TEXT NOT NULL);
   CREATE INDEX refs_hash ON refs (hash);`,
];

const NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

/** The schema a store's index gets unless its config names one. */
export function defaultIndexSchema(storeName: string): string {
  return `dittofs_blocks_${storeName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/** Keys from `prefix` up to (not including) the first key that does not start with it. */
const prefixRange = (prefix: string): [string, string] => [prefix, `${prefix}~`];

export class SharedBlockIndex {
  readonly poolHealth: PoolHealth;

  private constructor(private readonly pool: pg.Pool) {
    this.poolHealth = new PoolHealth(pool);
  }

  static async open(config: PostgresConfig, schema: string): Promise<SharedBlockIndex> {
    const { pool } = await openSchema(config, schema, MIGRATIONS, 'block index', async () => undefined);
    return new SharedBlockIndex(pool);
  }

  /** The content the key holds, or undefined. */
  async resolve(key: string): Promise<{ hash: string; size: number } | undefined> {
    const { rows } = await this.query<{ hash: string; size: number }>(
      'SELECT r.hash, c.size FROM refs r JOIN contents c ON c.hash = r.hash WHERE r.key = $1',
      [key],
    );
    return rows[0];
  }

  /**
   * Records that a writer is about to reference `hash` (inserting it, not uploaded, if new),
   * which keeps it from collection for the grace period; answers whether its object is in S3.
   */
  async claim(hash: string, size: number): Promise<boolean> {
    const { rows } = await this.query<{ uploaded: boolean }>(
      `INSERT INTO contents (hash, size, uploaded, touched) VALUES ($1, $2, false, ${NOW_MS})
       ON CONFLICT (hash) DO UPDATE SET touched = ${NOW_MS} RETURNING uploaded`,
      [hash, size],
    );
    return rows[0]!.uploaded;
  }

  /**
   * Points `key` at `hash`, whose object is now in S3; the content it held before starts its
   * grace period. False if the content's row is gone (collected since its claim): the writer
   * claims and uploads it again.
   */
  async setRef(key: string, hash: string): Promise<boolean> {
    const { rows } = await this.query<{ n: number }>(
      `WITH old AS (SELECT hash FROM refs WHERE key = $1 AND hash <> $2),
            c AS (UPDATE contents SET uploaded = true, touched = ${NOW_MS} WHERE hash = $2 RETURNING hash),
            ins AS (INSERT INTO refs (key, hash) SELECT $1, hash FROM c
                    ON CONFLICT (key) DO UPDATE SET hash = excluded.hash RETURNING hash),
            released AS (UPDATE contents SET touched = ${NOW_MS} WHERE hash IN (SELECT hash FROM old))
       SELECT count(*)::int AS n FROM ins`,
      [key, hash],
    );
    return rows[0]!.n === 1;
  }

  /** Drops the key (or every key under `prefix`); the contents they held start their grace period. */
  async deleteRefs(key: string, prefix = false): Promise<void> {
    const [from, to] = prefix ? prefixRange(key) : [key, undefined];
    const where = to === undefined ? 'key = $1' : 'key >= $1 AND key < $2';
    await this.query(
      `WITH d AS (DELETE FROM refs WHERE ${where} RETURNING hash)
       UPDATE contents SET touched = ${NOW_MS} WHERE hash IN (SELECT hash FROM d)`,
      to === undefined ? [from] : [from, to],
    );
  }

  async keysUnder(prefix: string): Promise<string[]> {
    const { rows } = await this.query<{ key: string }>(
      'SELECT key FROM refs WHERE key >= $1 AND key < $2',
      prefixRange(prefix),
    );
    return rows.map((r) => r.key);
  }

  /** Blocks and bytes the keys reference (as if each had its own copy). */
  async totals(): Promise<{ blocks: number; bytes: number }> {
    const { rows } = await this.query<{ blocks: number; bytes: number }>(
      'SELECT count(*)::int AS blocks, coalesce(sum(c.size), 0)::bigint AS bytes FROM refs r JOIN contents c ON c.hash = r.hash',
    );
    return rows[0]!;
  }

  /** Contents no key references, untouched for `graceMs`: candidates for collection. */
  async garbage(graceMs: number, limit = 1000): Promise<{ hash: string; size: number }[]> {
    const { rows } = await this.query<{ hash: string; size: number }>(
      `SELECT hash, size FROM contents c WHERE touched < ${NOW_MS} - $1
         AND NOT EXISTS (SELECT 1 FROM refs r WHERE r.hash = c.hash) LIMIT $2`,
      [graceMs, limit],
    );
    return rows;
  }

  /**
   * Deletes the content if it is still garbage, with `removeObject` run while its row is
   * locked (a writer claiming it waits, then finds it gone and uploads it again); answers
   * whether it was collected. A failing `removeObject` leaves the row.
   */
  async collect(hash: string, graceMs: number, removeObject: () => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect().catch((err: unknown) => {
      throw pgError(err);
    });
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query(
        `DELETE FROM contents c WHERE hash = $1 AND touched < ${NOW_MS} - $2
           AND NOT EXISTS (SELECT 1 FROM refs r WHERE r.hash = c.hash)`,
        [hash, graceMs],
      );
      if (rowCount === 1) await removeObject();
      await client.query('COMMIT');
      return rowCount === 1;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw pgError(err);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw pgError(err);
    }
  }
}
