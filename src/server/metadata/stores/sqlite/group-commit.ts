/**
 * Group commit: transaction bodies queued while a group is being assembled share one
 * BEGIN IMMEDIATE ... COMMIT, and one `durable()` call (a WAL fdatasync) after it makes all
 * of them durable; the next group may run meanwhile. Each body runs under its own
 * SAVEPOINT: a body that throws rolls back only itself. A failed COMMIT or `durable()` fails
 * every body of the group.
 */
import type { Database, Statement } from 'better-sqlite3';
import { DittoError, isDittoError } from '../../../../shared/errors.ts';

/** SQLite and file-system failures as registry errors (a full disk is NO_SPACE: NFS3ERR_NOSPC). */
function storeError(err: unknown): unknown {
  if (isDittoError(err)) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return new DittoError('NO_SPACE', detail);
  if (code === 'EIO' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))) {
    return new DittoError('IO', detail);
  }
  return err;
}

export interface GroupLimits {
  /** Most bodies per commit: bounds a group so its callers' latency stays bounded under load. */
  maxBatch?: number;
  /**
   * With no sync under way, a group that has run bodies this long commits and starts its
   * sync, and the next group runs the rest meanwhile. 16 REMOVEs arrive at once from a
   * client, ~100 µs of event loop each: in one group, the loop then idled through its sync
   * and the client through the bodies (16 × 0.1 + 0.5 ms of fdatasync per 16 files).
   * While a sync runs, a group keeps taking bodies: committing early would not sync sooner.
   */
  splitAfterMs?: number;
  /**
   * A group of lazy bodies only syncs this long after its commit, with any lazy group
   * committed meanwhile, unless a durable group's sync comes first and covers it. A copy of
   * small files over SMB (a lazy create and a lazy store at close per file) had two WAL
   * fdatasyncs per file.
   */
  lazySyncMs?: number;
}

/** What a group tells the transaction view it lends its bodies (the store's caches follow). */
export interface GroupEvents {
  /** Inside the transaction, just before COMMIT (e.g. to persist counters). */
  beforeCommit(): void;
  /** A body is over: released (`ok`), or rolled back to its savepoint. */
  bodyEnded?(ok: boolean): void;
  /** The group committed, or rolled back (every body of it). */
  groupEnded?(committed: boolean): void;
}

interface Job<Tx> {
  fn: (tx: Tx) => Promise<unknown>;
  /** Answered at COMMIT, before `durable()` (TxOptions.lazy). */
  lazy: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<Tx> {
  private readonly queue: Array<Job<Tx>> = [];
  private scheduled = false;
  private inGroup = false;
  /** durable() calls under way. */
  private syncing = 0;
  /** A sync owed to lazy groups, due when it fires. */
  private lazySync: ReturnType<typeof setTimeout> | undefined;
  private idleWaiters: Array<() => void> = [];
  private settledWaiters: Array<() => void> = [];
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;
  private readonly savepoint: Statement;
  private readonly release: Statement;
  private readonly rollbackTo: Statement;
  private readonly maxBatch: number;
  private readonly splitAfterMs: number;
  private readonly lazySyncMs: number;

  constructor(
    private readonly db: Database,
    private readonly tx: Tx,
    private readonly events: GroupEvents,
    /** Makes what was committed so far durable; callers are answered once it resolves. */
    private readonly durable: () => Promise<void>,
    limits: GroupLimits = {},
  ) {
    this.maxBatch = limits.maxBatch ?? 1024;
    this.splitAfterMs = limits.splitAfterMs ?? 0.25;
    this.lazySyncMs = limits.lazySyncMs ?? 100;
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT body');
    this.release = db.prepare('RELEASE body');
    this.rollbackTo = db.prepare('ROLLBACK TO body');
  }

  run<T>(fn: (tx: Tx) => Promise<T>, lazy = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, lazy, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** True from BEGIN until the group's callers are settled. */
  get running(): boolean {
    return this.inGroup;
  }

  /** Resolves when the running group has committed or rolled back. */
  settled(): Promise<void> {
    if (!this.inGroup) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Resolves once no group is queued or running. */
  idle(): Promise<void> {
    if (!this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * setImmediate lets every caller that became ready in this turn of the event loop (for
   * example all those whose previous group just committed) enqueue before the group starts.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.runGroup());
  }

  private async runGroup(): Promise<void> {
    const done: Array<[Job<Tx>, unknown]> = [];
    let current: Job<Tx> | undefined;
    let began = false;
    let taken = 0;
    const started = performance.now();
    this.inGroup = true;
    try {
      this.begin.run();
      began = true;
      // Bodies that enqueue while earlier ones run join this group.
      while (taken < this.maxBatch && (current = this.queue.shift()) !== undefined) {
        taken++;
        this.savepoint.run();
        let value: unknown;
        try {
          value = await current.fn(this.tx);
        } catch (err) {
          this.rollbackTo.run();
          this.release.run();
          this.events.bodyEnded?.(false);
          current.reject(storeError(err));
          current = undefined;
          continue;
        }
        this.release.run();
        this.events.bodyEnded?.(true);
        done.push([current, value]);
        current = undefined;
        if (this.syncing === 0 && this.queue.length > 0 && performance.now() - started >= this.splitAfterMs) {
          break;
        }
      }
      this.events.beforeCommit();
      this.commit.run();
      this.events.groupEnded?.(true);
    } catch (cause) {
      if (this.db.inTransaction) this.rollback.run();
      this.events.groupEnded?.(false);
      const err = storeError(cause);
      current?.reject(err);
      for (const [job] of done) job.reject(err);
      done.length = 0;
      // Without a transaction nothing can run (e.g. the disk failed): fail what is queued.
      if (!began) for (const job of this.queue.splice(0)) job.reject(err);
    }
    this.inGroup = false;
    this.scheduled = false;
    const settled = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of settled) w();
    if (this.queue.length > 0) {
      this.schedule();
    } else {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
    if (done.length === 0) return;
    // Lazy callers have their answer now; they are synced later (lazySyncMs), or by the next
    // durable group's sync.
    const durable: typeof done = [];
    for (const [job, value] of done) {
      if (job.lazy) job.resolve(value);
      else durable.push([job, value]);
    }
    if (durable.length === 0) {
      this.lazySync ??= setTimeout(() => void this.syncLazy().catch(() => undefined), this.lazySyncMs).unref();
      return;
    }
    try {
      await this.sync();
    } catch (err) {
      for (const [job] of durable) job.reject(storeError(err));
      return;
    }
    for (const [job, value] of durable) job.resolve(value);
  }

  /** Makes what lazy groups committed durable now, if a sync is still owed them (closing the store). */
  async syncLazy(): Promise<void> {
    if (this.lazySync !== undefined) await this.sync();
  }

  /** Syncs everything committed so far: what lazy groups are owed too. */
  private async sync(): Promise<void> {
    clearTimeout(this.lazySync);
    this.lazySync = undefined;
    this.syncing++;
    try {
      await this.durable();
    } finally {
      this.syncing--;
    }
  }
}
