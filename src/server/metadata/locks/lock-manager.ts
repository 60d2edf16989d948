/**
 * The byte-range lock manager: one table of locks per file, shared by every protocol (NFSv4
 * LOCK today; NLM and SMB next), so a lock taken over one conflicts with the others. POSIX
 * semantics: an owner's locks never conflict with each other, and a new lock replaces the
 * owner's own locks over its range (upgrading, downgrading or splitting them). In memory:
 * locks do not outlive the process, which is what clients expect of a server restart.
 */

export type LockKind = 'read' | 'write';

export interface ByteRangeLock {
  /** Protocol-qualified owner, e.g. "nfs4:<clientid>:<owner>". */
  readonly owner: string;
  readonly kind: LockKind;
  readonly start: number;
  /** Exclusive; Infinity for "to the end of the file". */
  readonly end: number;
}

const overlaps = (l: ByteRangeLock, start: number, end: number): boolean => l.start < end && start < l.end;

export class LockManager {
  /** Locks by file key ("<share id>:<fileid>"). */
  private readonly files = new Map<string, ByteRangeLock[]>();

  /** The first lock of another owner that `kind` over [start, end) would conflict with. */
  conflict(file: string, owner: string, kind: LockKind, start: number, end: number): ByteRangeLock | undefined {
    for (const l of this.files.get(file) ?? []) {
      if (l.owner === owner || !overlaps(l, start, end)) continue;
      if (kind === 'write' || l.kind === 'write') return l;
    }
    return undefined;
  }

  /** Takes a lock; on conflict nothing changes and the conflicting lock is returned. */
  lock(file: string, owner: string, kind: LockKind, start: number, end: number): ByteRangeLock | undefined {
    const blocking = this.conflict(file, owner, kind, start, end);
    if (blocking) return blocking;
    this.unlock(file, owner, start, end);
    const held = this.files.get(file);
    const lock = { owner, kind, start, end };
    if (held) held.push(lock);
    else this.files.set(file, [lock]);
    return undefined;
  }

  /** Releases an owner's locks over [start, end), keeping the parts outside it. */
  unlock(file: string, owner: string, start: number, end: number): void {
    const held = this.files.get(file);
    if (!held) return;
    const kept: ByteRangeLock[] = [];
    for (const l of held) {
      if (l.owner !== owner || !overlaps(l, start, end)) {
        kept.push(l);
        continue;
      }
      if (l.start < start) kept.push({ ...l, end: start });
      if (end < l.end) kept.push({ ...l, start: end });
    }
    if (kept.length === 0) this.files.delete(file);
    else this.files.set(file, kept);
  }

  /** Whether an owner holds any lock on a file. */
  holds(file: string, owner: string): boolean {
    return (this.files.get(file) ?? []).some((l) => l.owner === owner);
  }

  /** Releases every lock of the owners `matches` selects (a client gone, a lease expired). */
  releaseWhere(matches: (owner: string) => boolean): void {
    for (const [file, held] of this.files) {
      const kept = held.filter((l) => !matches(l.owner));
      if (kept.length === 0) this.files.delete(file);
      else this.files.set(file, kept);
    }
  }
}
