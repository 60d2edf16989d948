/**
 * Group commit on PostgreSQL: transaction bodies queued while a group runs share one
 * transaction on one pooled connection — one BEGIN with the schema's advisory lock, one
 * COMMIT (one WAL flush) — and are answered once that COMMIT returns. The next group starts
 * as soon as the COMMIT is sent: its BEGIN waits on the advisory lock, so groups never
 * interleave. Bodies run one after the other, so each sees the writes of those before it.
 *
 * A body that throws rolls back only itself: every writing body but the group's first
 * takes a SAVEPOINT just before its first write (a body that only read needs none). When
 * the first writing body throws, the transaction is rolled back and begun again instead.
 * A failed query aborts the transaction: a body under a savepoint rolls back to it; one
 * that failed before writing, after other bodies wrote, fails the whole group (nothing of
 * it was answered) and bodies still queued run in the next group. A failed COMMIT fails
 * every body of the group.
 */
import type pg from 'pg';
import type { PoolClient, QueryConfig, QueryResult } from 'pg';
import { pgError } from '../../../postgres/errors.ts';

/** Where a body's queries go, and the hook its writes call first. */
export interface GroupSlot {
  db: Pick<PoolClient, 'query'>;
  beforeWrite: () => void;
}

interface Job<Tx> {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** State of one group's transaction, shared by the slots of its bodies. */
interface Group {
  client: PoolClient;
  /** A query failed: the transaction is aborted. */
  failed: unknown;
  /** Some body's writes are in the transaction, outside any savepoint of the running body. */
  written: boolean;
  /** A savepoint named `body` exists (ROLLBACK TO keeps it). */
  savepoint: boolean;
}

export class PgGroupCommit<Tx> {
  private readonly queue: Array<Job<Tx>> = [];
  private scheduled = false;
  /** Groups begun and not yet committed or rolled back. */
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly pool: pg.Pool,
    /** Key of the advisory lock that serialises writers of the schema across instances. */
    private readonly lockKey: number,
    /** A body's view of the transaction. */
    private readonly newTx: (slot: GroupSlot) => Tx,
    /** Called with the transactions of bodies that committed, once COMMIT returned. */
    private readonly committed: (txs: Tx[]) => void,
    /**
     * Bounds a group: its callers' latency, and its subtransactions (PostgreSQL caches 64
     * per backend; more slow every other session's snapshots while it runs).
     */
    private readonly maxBatch = 64,
  ) {}

  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Resolves once no group is queued or running. */
  idle(): Promise<void> {
    if (!this.scheduled && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** setImmediate lets every caller that became ready in this turn enqueue before the group starts. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.runGroup());
  }

  private async runGroup(): Promise<void> {
    this.running++;
    const done: Array<[Job<Tx>, unknown, Tx]> = [];
    let current: Job<Tx> | undefined;
    let client: PoolClient | undefined;
    let began = false;
    let handedOff = false;
    try {
      client = await this.pool.connect();
      await client.query(this.beginSql());
      began = true;
      const group: Group = { client, failed: undefined, written: false, savepoint: false };
      for (let taken = 0; taken < this.maxBatch && (current = this.queue.shift()) !== undefined; taken++) {
        const result = await this.runBody(group, current);
        if (result !== undefined) done.push([current, result.value, result.tx]);
        current = undefined;
      }
      const commit = client.query('COMMIT');
      handedOff = true;
      this.next();
      await commit;
      client.release();
    } catch (cause) {
      const err = pgError(cause);
      current?.reject(err);
      for (const [job] of done) job.reject(err);
      done.length = 0;
      // Without a transaction nothing can run (PostgreSQL is down): fail what is queued.
      if (!began) for (const job of this.queue.splice(0)) job.reject(err);
      // The connection may be broken: closed rather than pooled again.
      client?.release(asError(cause));
    }
    if (!handedOff) this.next();
    this.running--;
    this.settle();
    if (done.length === 0) return;
    this.committed(done.map(([, , tx]) => tx));
    for (const [job, value] of done) job.resolve(value);
  }

  /** `BEGIN` and the lock in one round trip (the key is a plain integer). */
  private beginSql(): string {
    return `BEGIN; SELECT pg_advisory_xact_lock(${this.lockKey})`;
  }

  /**
   * Runs one body; its value and transaction if it succeeded, undefined if it threw (it is
   * then rejected and rolled back). Throws when the group's transaction cannot go on.
   */
  private async runBody(group: Group, job: Job<Tx>): Promise<{ value: unknown; tx: Tx } | undefined> {
    let wrote = false;
    let savepoint = false;
    const db = {
      query: (q: QueryConfig | string, values?: unknown[]): Promise<QueryResult> =>
        group.client.query(q as string, values).catch((err: unknown) => {
          group.failed ??= err;
          throw err;
        }),
    } as Pick<PoolClient, 'query'>;
    const beforeWrite = (): void => {
      if (wrote) return;
      wrote = true;
      if (!group.written) return;
      // RELEASE folds the last body's savepoint into the transaction: one level at a time.
      // Not awaited: on a pipelined connection it travels with the write that follows, and
      // if it fails, so does that write (the transaction is aborted).
      db.query(group.savepoint ? 'RELEASE SAVEPOINT body; SAVEPOINT body' : 'SAVEPOINT body').catch(() => undefined);
      group.savepoint = savepoint = true;
    };
    const tx = this.newTx({ db, beforeWrite });
    try {
      const value = await job.fn(tx);
      if (group.failed !== undefined) throw group.failed;
      group.written ||= wrote;
      return { value, tx };
    } catch (err) {
      job.reject(pgError(err));
      if (savepoint) {
        await group.client.query('ROLLBACK TO SAVEPOINT body');
      } else if (wrote || group.failed !== undefined) {
        // Only when no earlier body's writes would go with it (else the group fails).
        if (group.written) throw group.failed;
        await group.client.query(`ROLLBACK; ${this.beginSql()}`);
        group.savepoint = false;
      }
      group.failed = undefined;
      return undefined;
    }
  }

  private next(): void {
    this.scheduled = false;
    if (this.queue.length > 0) this.schedule();
  }

  private settle(): void {
    if (this.scheduled || this.running > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
