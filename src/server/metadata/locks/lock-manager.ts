/**
 * The byte-range lock manager: one table of locks per file, shared by NFSv4, NLM (NFSv3)
 * and SMB, so a lock taken over one protocol conflicts with the others.
 *
 * Owners are protocol-qualified keys, "<protocol>:<client>:<owner>" (ownerKey), so the locks
 * of one client can be released together when it vanishes. Two families of semantics meet:
 * - POSIX owners (NFSv4, NLM): an owner's locks never conflict with each other; a new lock
 *   replaces the owner's own locks over its range (upgrading, downgrading or splitting them);
 *   an unlock may cover any part of a lock.
 * - Windows owners (SMB, MS-FSA §2.1.5.7/§2.1.5.8): locks stack; an exclusive lock conflicts
 *   with any overlapping lock, the owner's own included, a shared one only with another
 *   owner's exclusive lock; a zero-length lock is a point that meets only ranges holding it
 *   strictly inside; an unlock names exactly one lock (exclusive before shared).
 * Between owners of either family: a write (exclusive) lock conflicts with any overlapping
 * lock, a read (shared) lock with an overlapping write lock.
 *
 * Ranges are [start, end) in bigint: SMB ranges reach past 2^64; TO_END stands for "to the
 * end of the file". In memory: locks do not outlive the process; NFSv4 and NLM clients
 * reclaim them in the grace period after a restart.
 */
import { LockWaiters, type LockWaiter } from './waiters.ts';

export type LockKind = 'read' | 'write';
export type LockProtocol = 'nfs4' | 'nlm' | 'smb';

export interface ByteRangeLock {
  /** Protocol-qualified owner, see ownerKey. */
  readonly owner: string;
  readonly kind: LockKind;
  readonly start: bigint;
  /** Exclusive end; TO_END for "to the end of the file". */
  readonly end: bigint;
}

export interface LockRequest {
  readonly kind: LockKind;
  readonly start: bigint;
  readonly end: bigint;
}

/** Past every range any protocol can express (SMB: offset and length both up to 2^64 - 1). */
export const TO_END = 1n << 66n;

/** "<protocol>:<client>:<owner>"; the client part must not contain ':'. */
export function ownerKey(protocol: LockProtocol, client: string, owner: string): string {
  return `${protocol}:${client}:${owner}`;
}

/** The protocol and client of an owner key. */
export function ownerOf(key: string): { protocol: string; client: string; owner: string } {
  const [protocol = '', client = '', ...rest] = key.split(':');
  return { protocol, client, owner: rest.join(':') };
}

/** Every owner key of one client of a protocol starts with this. */
export const clientPrefix = (protocol: LockProtocol, client: string): string => `${protocol}:${client}:`;

const isWindows = (owner: string): boolean => owner.startsWith('smb:');

type Range = { start: bigint; end: bigint };

/** A point strictly inside a range. */
const inside = (point: bigint, r: Range): boolean => r.start < point && point < r.end;

/** Half-open overlap; a zero-length (Windows) range is a point that meets ranges holding it strictly inside. */
function overlaps(a: Range, b: Range): boolean {
  const aPoint = a.start === a.end;
  const bPoint = b.start === b.end;
  if (aPoint && bPoint) return false;
  if (aPoint) return inside(a.start, b);
  if (bPoint) return inside(b.start, a);
  return a.start < b.end && b.start < a.end;
}

/** Whether `held` stands in the way of `owner` taking `req`. */
export function conflicts(held: ByteRangeLock, owner: string, req: LockRequest): boolean {
  if (!overlaps(held, req)) return false;
  if (held.owner === owner) return isWindows(owner) && req.kind === 'write'; // own POSIX locks merge
  return req.kind === 'write' || held.kind === 'write';
}

export class LockManager {
  /** Locks by file key ("<share>\0<fileid>", see fileKey). */
  private readonly files = new Map<string, ByteRangeLock[]>();
  private readonly waiters = new LockWaiters((file, owner, requests) => this.lockAll(file, owner, requests));

  /** The first lock another owner holds (or, for SMB, the owner's own) that `kind` over [start, end) would conflict with. */
  conflict(file: string, owner: string, kind: LockKind, start: bigint, end: bigint): ByteRangeLock | undefined {
    const req = { kind, start, end };
    return this.files.get(file)?.find((l) => conflicts(l, owner, req));
  }

  /** Takes a lock; on conflict nothing changes and the conflicting lock is returned. */
  lock(file: string, owner: string, kind: LockKind, start: bigint, end: bigint): ByteRangeLock | undefined {
    return this.lockAll(file, owner, [{ kind, start, end }]);
  }

  /** Takes every lock of `requests` or none (SMB2 LOCK with several elements). */
  lockAll(file: string, owner: string, requests: readonly LockRequest[]): ByteRangeLock | undefined {
    let held = this.files.get(file) ?? [];
    const windows = isWindows(owner);
    const taken: ByteRangeLock[] = [];
    for (const req of requests) {
      const blocking = held.find((l) => conflicts(l, owner, req)) ?? taken.find((l) => conflicts(l, owner, req));
      if (blocking) return blocking;
      taken.push({ owner, ...req });
    }
    for (const lock of taken) {
      if (!windows) held = subtract(held, owner, lock.start, lock.end);
      held = [...held, lock];
    }
    this.files.set(file, held);
    return undefined;
  }

  /**
   * Releases an owner's locks over [start, end): POSIX owners keep the parts outside it;
   * SMB owners release exactly one lock of that range, exclusive first. False when nothing
   * was held there (SMB: RANGE_NOT_LOCKED).
   */
  unlock(file: string, owner: string, start: bigint, end: bigint): boolean {
    const held = this.files.get(file);
    if (!held) return false;
    let kept: ByteRangeLock[];
    if (isWindows(owner)) {
      const same = (l: ByteRangeLock) => l.owner === owner && l.start === start && l.end === end;
      let i = held.findIndex((l) => same(l) && l.kind === 'write');
      if (i < 0) i = held.findIndex(same);
      if (i < 0) return false;
      kept = held.filter((_, j) => j !== i);
    } else {
      if (!held.some((l) => l.owner === owner && overlaps(l, { start, end }))) return false;
      kept = subtract(held, owner, start, end);
    }
    this.store(file, kept);
    return true;
  }

  /** Drops every lock of an owner on a file (an SMB open closed) and its waits. */
  release(file: string, owner: string): void {
    this.waiters.cancelWhere((w) => w.file === file && w.owner === owner);
    const held = this.files.get(file);
    if (held)
      this.store(
        file,
        held.filter((l) => l.owner !== owner),
      );
  }

  /**
   * Releases every lock and wait of the owners `matches` selects (a client gone, a lease
   * expired); answers the owners released, by file.
   */
  releaseWhere(matches: (owner: string) => boolean): Map<string, Set<string>> {
    this.waiters.cancelWhere((w) => matches(w.owner));
    const released = new Map<string, Set<string>>();
    for (const [file, held] of this.files) {
      const gone = held.filter((l) => matches(l.owner));
      if (gone.length === 0) continue;
      released.set(file, new Set(gone.map((l) => l.owner)));
      this.store(
        file,
        held.filter((l) => !matches(l.owner)),
      );
    }
    return released;
  }

  /** An owner's locks on a file. */
  locksOf(file: string, owner: string): ByteRangeLock[] {
    return (this.files.get(file) ?? []).filter((l) => l.owner === owner);
  }

  /** The locks of a file as they are, for `restore` (held arrays are never changed in place). */
  snapshot(file: string): readonly ByteRangeLock[] | undefined {
    return this.files.get(file);
  }

  /** Puts back a file's locks as `snapshot` saw them (a change the cluster's table refused). */
  restore(file: string, held: readonly ByteRangeLock[] | undefined): void {
    if (held === undefined || held.length === 0) this.files.delete(file);
    else this.files.set(file, [...held]);
  }

  /**
   * Locks held, counted by client (the "<protocol>:<client>:" prefix of the owner, see
   * clientPrefix) and share: what the sessions list shows next to each mount.
   */
  countsByClient(): Map<string, Map<string, number>> {
    const counts = new Map<string, Map<string, number>>();
    for (const [file, held] of this.files) {
      const share = shareOfFileKey(file);
      for (const l of held) {
        const client = l.owner.slice(0, l.owner.indexOf(':', l.owner.indexOf(':') + 1) + 1);
        let byShare = counts.get(client);
        if (!byShare) counts.set(client, (byShare = new Map()));
        byShare.set(share, (byShare.get(share) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Whether an owner holds any lock on a file. */
  holds(file: string, owner: string): boolean {
    return (this.files.get(file) ?? []).some((l) => l.owner === owner);
  }

  /**
   * Whether `owner` may read or write the range (MS-FSA §2.1.4.10, for SMB I/O): reads are
   * blocked by another owner's write lock, writes by another owner's lock or the owner's own
   * shared one.
   */
  allows(file: string, owner: string, start: bigint, end: bigint, write: boolean): boolean {
    const held = this.files.get(file);
    if (!held) return true;
    const range = { start, end };
    return !held.some(
      (l) => overlaps(l, range) && (l.owner !== owner ? l.kind === 'write' || write : write && l.kind === 'read'),
    );
  }

  /**
   * Waits for locks that conflict now (SMB blocking LOCK, NLM blocking LOCK): they are taken
   * as soon as a release on the file lets them, in the order the waits began; `granted`
   * settles true then, false when the wait is cancelled or its owner released.
   */
  wait(file: string, owner: string, requests: readonly LockRequest[]): LockWaiter {
    return this.waiters.add(file, owner, requests);
  }

  /** Whether `owner` waits for locks on `file`. */
  waiting(file: string, owner: string): LockWaiter | undefined {
    return this.waiters.find(file, owner);
  }

  private store(file: string, kept: ByteRangeLock[]): void {
    if (kept.length === 0) this.files.delete(file);
    else this.files.set(file, kept);
    this.waiters.retry(file);
  }
}

/** An owner's locks with [start, end) cut out of them. */
function subtract(held: readonly ByteRangeLock[], owner: string, start: bigint, end: bigint): ByteRangeLock[] {
  const kept: ByteRangeLock[] = [];
  for (const l of held) {
    if (l.owner !== owner || !(l.start < end && start < l.end)) {
      kept.push(l);
      continue;
    }
    if (l.start < start) kept.push({ ...l, end: start });
    if (end < l.end) kept.push({ ...l, start: end });
  }
  return kept;
}

/** The key of a file in the lock table. */
export function fileKey(share: string, fileid: number): string {
  return `${share}\0${fileid}`;
}

/** The share part of a fileKey. */
export function shareOfFileKey(key: string): string {
  return key.slice(0, key.indexOf('\0'));
}

/** The fileid part of a fileKey. */
export function fileidOfFileKey(key: string): number {
  return Number(key.slice(key.indexOf('\0') + 1));
}
