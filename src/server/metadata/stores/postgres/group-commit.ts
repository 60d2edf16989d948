/**
 * Group commit on PostgreSQL: transaction bodies queued while a group runs share one
 * transaction on one pooled connection — one BEGIN, one COMMIT (one WAL flush) — and are
 * answered once that COMMIT returns. A group's bodies run one after the other, and the
 * next group's bodies start once the COMMIT before has returned (its BEGIN goes out while
 * that COMMIT is in flight): each body sees the writes of every body before it.
 *
 * Other store objects on the database (other dfs instances) run their groups at the same
 * time: bodies serialise with theirs on the rows they lock (StoreTx.lockFiles and
 * lockTree; READ COMMITTED, so each statement after a lock sees what the lock's last
 * holder committed). A group holds the locks of all its bodies until its COMMIT, so only a
 * group's first locking body may wait for a lock: later ones ask with NOWAIT and, when a
 * row is taken, roll back and run first in the next group, once this one has committed
 * what it has. So waits never chain through the bodies of a group. A body that meets a
 * deadlock or serialization failure anyway (40P01, 40001: the transaction was rolled back)
 * runs again in the next group, up to MAX_TRIES times, then fails with RETRY_LATER.
 *
 * A body that throws rolls back only itself: every writing body but the group's first
 * takes a SAVEPOINT just before its first write or lock (a body that only read needs
 * none). When the first writing body throws, the transaction is rolled back and begun
 * again instead. A failed query aborts the transaction: a body under a savepoint rolls
 * back to it; one that failed before writing, after other bodies wrote, fails the whole
 * group (nothing of it was answered; on a conflict its bodies run again) and bodies still
 * queued run in the next group. A failed COMMIT fails every body of the group.
 */
import type pg from 'pg';
import type { PoolClient, QueryConfig, QueryResult } from 'pg';
import { DittoError } from '../../../../shared/errors.ts';
import { pgError } from '../../../postgres/errors.ts';

/** Runs of one body at most, when each meets a deadlock or serialization failure. */
export const MAX_TRIES = 5;
/** SQLSTATEs of a transaction PostgreSQL rolled back for a conflict: run it again. */
const CONFLICTS = new Set(['40001', '40P01']);
/** lock_not_available: a NOWAIT lock found its row taken. */
const BUSY = '55P03';

/** Where a body's queries go, the hook its writes and locks call first, and how it locks. */
export interface GroupSlot {
  db: Pick<PoolClient, 'query'>;
  beforeWrite: () => void;
  /** No earlier body of the group holds locks: this one may wait for its own (else NOWAIT). */
  mayWait: boolean;
}

interface Job<Tx> {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** Runs that met a conflict so far. */
  conflicts: number;
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

/** What became of a body: its value and transaction, `again` (it runs in the next group), or undefined (it failed). */
type Outcome<Tx> = { value: unknown; tx: Tx } | 'again' | undefined;

const sqlState = (err: unknown): unknown => (err as { code?: unknown } | undefined)?.code;

export class PgGroupCommit<Tx> {
  private readonly queue: Array<Job<Tx>> = [];
  private scheduled = false;
  /** Groups begun and not yet committed or rolled back. */
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  /** Settles when the last group's COMMIT has returned: the next group's bodies wait for it. */
  private committing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
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
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, conflicts: 0 });
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
      const begin = client.query('BEGIN');
      await this.committing;
      await begin;
      began = true;
      const group: Group = { client, failed: undefined, written: false, savepoint: false };
      let again: Job<Tx> | undefined;
      for (let taken = 0; taken < this.maxBatch && (current = this.queue.shift()) !== undefined; taken++) {
        const result = await this.runBody(group, current);
        if (result === 'again') {
          [again, current] = [current, undefined];
          break;
        }
        if (result !== undefined) done.push([current, result.value, result.tx]);
        current = undefined;
      }
      const commit = client.query('COMMIT');
      this.committing = commit.catch(() => undefined);
      handedOff = true;
      if (again !== undefined) this.queue.unshift(again);
      this.next();
      await commit;
      client.release();
    } catch (cause) {
      const err = pgError(cause);
      // On a conflict PostgreSQL rolled everything back: the group's bodies run again.
      const conflict = began && CONFLICTS.has(sqlState(cause) as string);
      const again: Array<Job<Tx>> = [];
      for (const job of [...done.map(([j]) => j), ...(current === undefined ? [] : [current])]) {
        if (!conflict) job.reject(err);
        else if (this.retry(job, cause)) again.push(job);
      }
      done.length = 0;
      this.queue.unshift(...again);
      if (handedOff && again.length > 0) this.schedule();
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

  /**
   * Whether `job`, whose run failed with `cause`, runs again: always after a NOWAIT lock
   * found its row taken (it runs first in the next group, where it may wait), after a
   * conflict while it has tries left; else it is rejected with RETRY_LATER.
   */
  private retry(job: Job<Tx>, cause: unknown): boolean {
    const code = sqlState(cause);
    if (code === BUSY) return true;
    if (++job.conflicts < MAX_TRIES) return true;
    job.reject(
      new DittoError(
        'RETRY_LATER',
        `PostgreSQL: the transaction met conflicting ones (SQLSTATE ${String(code)}) ${MAX_TRIES} times`,
      ),
    );
    return false;
  }

  /**
   * Runs one body: its value and transaction if it succeeded; `again` if it met a conflict
   * and runs in the next group; undefined if it threw (it is then rejected and rolled
   * back). Throws when the group's transaction cannot go on.
   */
  private async runBody(group: Group, job: Job<Tx>): Promise<Outcome<Tx>> {
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
    const tx = this.newTx({ db, beforeWrite, mayWait: !group.written });
    try {
      const value = await job.fn(tx);
      if (group.failed !== undefined) throw group.failed;
      group.written ||= wrote;
      return { value, tx };
    } catch (err) {
      // The first query that failed is the cause (those after it fail as "transaction aborted").
      const cause = group.failed ?? err;
      if (savepoint) {
        await group.client.query('ROLLBACK TO SAVEPOINT body');
      } else if (wrote || group.failed !== undefined) {
        // Only when no earlier body's writes would go with it (else the group fails).
        if (group.written) throw group.failed;
        await group.client.query('ROLLBACK; BEGIN');
        group.savepoint = false;
      }
      group.failed = undefined;
      const code = sqlState(cause) as string;
      if (code === BUSY || CONFLICTS.has(code)) return this.retry(job, cause) ? 'again' : undefined;
      job.reject(pgError(err));
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
