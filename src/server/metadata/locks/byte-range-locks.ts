/**
 * The byte-range locks every protocol handler takes (MetadataService.locks): the in-memory
 * LockManager for every file, and for a file of a store that several dfs instances serve
 * (PostgreSQL, shared-locks.ts) the cluster's lock table too. Such a file's lock is granted
 * only while holding the file's cluster-wide lock and when no other live instance's lock
 * conflicts; its owner's locks are then stored for the other instances to see. Changes of one
 * file on this instance run one after another. Blocking waits on such files are retried when
 * a lock here is released and every POLL_MS for the other instances' releases.
 *
 * I/O checks (`allows`, SMB's mandatory locking) see this instance's locks only.
 */
import { KeyedLock } from '../../../shared/keyed-lock.ts';
import type { LockWaiter } from './waiters.ts';
import { conflicts, LockManager, type ByteRangeLock, type LockKind, type LockRequest } from './lock-manager.ts';
import type { SharedLockTable } from './shared-locks.ts';

/** The cluster's lock table of a file's store and the file's id there; undefined: this instance alone. */
export type SharedTableOf = (file: string) => { table: SharedLockTable; fileid: number } | undefined;

const POLL_MS = 500;

interface SharedWaiter extends LockWaiter {
  settle(granted: boolean): void;
  done: boolean;
  /** A try is under way: another must not stack the same SMB locks twice. */
  trying: boolean;
}

export class ByteRangeLocks {
  private readonly local = new LockManager();
  private readonly serial = new KeyedLock();
  private readonly waiters: SharedWaiter[] = [];
  /** Owners whose stored locks may differ from their locks here (a release the database missed). */
  private readonly unsynced = new Map<string, Set<string>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly sharedOf: SharedTableOf = () => undefined) {}

  /** The first lock (here, or of another instance) that `kind` over [start, end) would conflict with. */
  async conflict(
    file: string,
    owner: string,
    kind: LockKind,
    start: bigint,
    end: bigint,
  ): Promise<ByteRangeLock | undefined> {
    const here = this.local.conflict(file, owner, kind, start, end);
    const shared = this.sharedOf(file);
    if (here !== undefined || shared === undefined) return here;
    const req = { kind, start, end };
    return (await shared.table.foreign(shared.fileid)).find((l) => conflicts(l, owner, req));
  }

  lock(file: string, owner: string, kind: LockKind, start: bigint, end: bigint): Promise<ByteRangeLock | undefined> {
    return this.lockAll(file, owner, [{ kind, start, end }]);
  }

  /** Takes every lock of `requests` or none; on conflict returns the conflicting lock. */
  async lockAll(file: string, owner: string, requests: readonly LockRequest[]): Promise<ByteRangeLock | undefined> {
    const shared = this.sharedOf(file);
    if (shared === undefined) return this.local.lockAll(file, owner, requests);
    return this.serial.run(file, async () => {
      const before = this.local.snapshot(file);
      let blocking: ByteRangeLock | undefined;
      try {
        await shared.table.withFile(shared.fileid, (foreign) => {
          blocking = foreign.find((l) => requests.some((r) => conflicts(l, owner, r)));
          blocking ??= this.local.lockAll(file, owner, requests);
          return blocking === undefined ? [{ owner, locks: this.local.locksOf(file, owner) }] : [];
        });
      } catch (err) {
        this.local.restore(file, before);
        throw err;
      }
      return blocking;
    });
  }

  /** See LockManager.unlock; on a file other instances serve, fails (nothing released) while the database is unreachable. */
  async unlock(file: string, owner: string, start: bigint, end: bigint): Promise<boolean> {
    const shared = this.sharedOf(file);
    if (shared === undefined) return this.local.unlock(file, owner, start, end);
    const released = await this.serial.run(file, async () => {
      const before = this.local.snapshot(file);
      if (!this.local.unlock(file, owner, start, end)) return false;
      try {
        await shared.table.withFile(shared.fileid, () => [{ owner, locks: this.local.locksOf(file, owner) }]);
      } catch (err) {
        this.local.restore(file, before);
        throw err;
      }
      return true;
    });
    if (released) this.kick(file);
    return released;
  }

  /** Drops every lock and wait of an owner on a file (an SMB open closed). Never fails. */
  async release(file: string, owner: string): Promise<void> {
    this.cancelWaits((w) => w.file === file && w.owner === owner);
    this.local.release(file, owner);
    if (this.sharedOf(file) !== undefined) await this.store(file, [owner]);
  }

  /** Releases every lock and wait of the owners `matches` selects (a client gone, a lease expired). Never fails. */
  async releaseWhere(matches: (owner: string) => boolean): Promise<void> {
    this.cancelWaits((w) => matches(w.owner));
    const released = this.local.releaseWhere(matches);
    await Promise.all(
      [...released]
        .filter(([file]) => this.sharedOf(file) !== undefined)
        .map(([file, owners]) => this.store(file, [...owners])),
    );
  }

  holds(file: string, owner: string): boolean {
    return this.local.holds(file, owner);
  }

  allows(file: string, owner: string, start: bigint, end: bigint, write: boolean): boolean {
    return this.local.allows(file, owner, start, end, write);
  }

  countsByClient(): Map<string, Map<string, number>> {
    return this.local.countsByClient();
  }

  /** Waits for locks that conflict now (SMB and NLM blocking LOCK); see LockManager.wait. */
  wait(file: string, owner: string, requests: readonly LockRequest[]): LockWaiter {
    if (this.sharedOf(file) === undefined) return this.local.wait(file, owner, requests);
    let settle!: (granted: boolean) => void;
    const granted = new Promise<boolean>((resolve) => (settle = resolve));
    const w: SharedWaiter = {
      file,
      owner,
      requests,
      granted,
      done: false,
      trying: false,
      settle: (value) => {
        if (w.done) return;
        w.done = true;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        settle(value);
      },
      cancel: () => w.settle(false),
    };
    this.waiters.push(w);
    this.startPolling();
    return w;
  }

  waiting(file: string, owner: string): LockWaiter | undefined {
    return this.local.waiting(file, owner) ?? this.waiters.find((w) => w.file === file && w.owner === owner);
  }

  /** Stops retrying waits and resyncing (the service is closing). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stores owners' locks on a file as they are here; on failure, retried by the poll. */
  private async store(file: string, owners: string[]): Promise<void> {
    const shared = this.sharedOf(file);
    if (shared === undefined) return;
    await this.serial.run(file, async () => {
      try {
        await shared.table.withFile(shared.fileid, () =>
          owners.map((owner) => ({ owner, locks: this.local.locksOf(file, owner) })),
        );
        const left = this.unsynced.get(file);
        for (const owner of owners) left?.delete(owner);
        if (left?.size === 0) this.unsynced.delete(file);
      } catch {
        const left = this.unsynced.get(file) ?? new Set<string>();
        for (const owner of owners) left.add(owner);
        this.unsynced.set(file, left);
        this.startPolling();
      }
    });
    this.kick(file);
  }

  private cancelWaits(matches: (w: LockWaiter) => boolean): void {
    for (const w of [...this.waiters]) if (matches(w)) w.cancel();
  }

  /** Retries, in the order they began, the waits on `file` (all files: undefined). */
  private kick(file?: string): void {
    for (const w of [...this.waiters]) {
      if ((file !== undefined && w.file !== file) || w.trying) continue;
      w.trying = true;
      void this.lockAll(w.file, w.owner, w.requests)
        .then(
          (blocking) => {
            if (blocking !== undefined) return;
            // Cancelled while the locks were being taken: give them back.
            if (w.done) void this.releaseRequests(w);
            else w.settle(true);
          },
          () => undefined, // the database is away: the next poll tries again
        )
        .finally(() => (w.trying = false));
    }
  }

  private async releaseRequests(w: LockWaiter): Promise<void> {
    for (const r of w.requests) await this.unlock(w.file, w.owner, r.start, r.end).catch(() => false);
  }

  private startPolling(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      for (const [file, owners] of [...this.unsynced]) void this.store(file, [...owners]);
      this.kick();
      if (this.waiters.length === 0 && this.unsynced.size === 0) this.close();
    }, POLL_MS);
    this.timer.unref();
  }
}
