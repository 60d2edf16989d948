/**
 * Byte-range locks, one table for every protocol (SMB2 LOCK today; NLM and NFSv4 LOCK are
 * meant to share it, so their locks conflict with each other). A lock belongs to an owner
 * (SMB: an open; NLM: a host + process) on a file named by `fileKey` (share + file id).
 *
 * Semantics are those of MS-FSA §2.1.5.7: a shared lock conflicts with an overlapping
 * exclusive lock of another owner (an owner may stack a shared lock on its own exclusive
 * one), an exclusive lock with any overlapping lock. Requests are all-or-nothing. Ranges
 * are unsigned 64-bit and may reach past 2^64 (as Samba allows).
 */

export interface RangeLock {
  owner: string;
  offset: bigint;
  length: bigint;
  exclusive: boolean;
}

/** The key of a file in the lock table. */
export function fileKey(share: string, fileid: number): string {
  return `${share}\0${fileid}`;
}

type Range = { offset: bigint; length: bigint };

/** A point strictly inside a range (Windows' zero-length lock rule: at its start it does not meet it). */
const inside = (point: bigint, r: Range): boolean => r.offset < point && point < r.offset + r.length;

/** A zero-length range is a point: it meets a range holding it strictly inside, and never another point. */
function overlaps(a: Range, b: Range): boolean {
  if (a.length === 0n && b.length === 0n) return false;
  if (a.length === 0n) return inside(a.offset, b);
  if (b.length === 0n) return inside(b.offset, a);
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

export class ByteRangeLocks {
  private readonly files = new Map<string, RangeLock[]>();

  /** Takes every lock of `requests` or none; false when one conflicts. */
  lock(file: string, requests: readonly RangeLock[]): boolean {
    const held = this.files.get(file) ?? [];
    const taken: RangeLock[] = [];
    for (const req of requests) {
      const conflict = [...held, ...taken].some(
        (h) => overlaps(h, req) && (req.exclusive || (h.exclusive && h.owner !== req.owner)),
      );
      if (conflict) return false;
      taken.push(req);
    }
    this.files.set(file, [...held, ...taken]);
    return true;
  }

  /** Removes one lock of exactly that range, exclusive before shared (MS-FSA §2.1.5.8); false when there is none. */
  unlock(file: string, owner: string, offset: bigint, length: bigint): boolean {
    const held = this.files.get(file);
    const same = (h: RangeLock) => h.owner === owner && h.offset === offset && h.length === length;
    let i = held?.findIndex((h) => same(h) && h.exclusive) ?? -1;
    if (i < 0) i = held?.findIndex(same) ?? -1;
    if (!held || i < 0) return false;
    held.splice(i, 1);
    if (held.length === 0) this.files.delete(file);
    return true;
  }

  /** Drops every lock of an owner on a file (the open closed). */
  release(file: string, owner: string): void {
    const held = this.files.get(file)?.filter((h) => h.owner !== owner) ?? [];
    if (held.length === 0) this.files.delete(file);
    else this.files.set(file, held);
  }

  /**
   * Whether `owner` may read or write the range (MS-FSA §2.1.4.10): reads are blocked by
   * another owner's exclusive lock, writes by another owner's lock or the owner's own shared one.
   */
  allows(file: string, owner: string, offset: bigint, length: bigint, write: boolean): boolean {
    const held = this.files.get(file);
    if (!held) return true;
    const range = { offset, length };
    return !held.some((h) => overlaps(h, range) && (h.owner !== owner ? h.exclusive || write : write && !h.exclusive));
  }
}
