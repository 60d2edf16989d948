/**
 * MS-SMB2 §3.3.5.14 LOCK: byte-range locks and unlocks on an open, in the lock table all
 * protocols share (MetadataService.smbLocks; to be merged into the one LockManager). Lock requests are all-or-nothing; a conflict is
 * LOCK_NOT_GRANTED at once — blocking waits (STATUS_PENDING) are not implemented, so a
 * request without FAIL_IMMEDIATELY is answered as if it had it.
 */
import { fileKey, type RangeLock } from '../../../metadata/locks/byte-range.ts';
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, SmbStatusError, type SmbHandler } from '../handler.ts';
import { LeReader } from '../reader.ts';
import type { Open } from '../state.ts';

const UINT64_MAX = 0xffffffffffffffffn;

export const LockFlag = { SHARED: 0x1, EXCLUSIVE: 0x2, UNLOCK: 0x4, FAIL_IMMEDIATELY: 0x10 } as const;

/** The owner an open's locks are held under. */
export function lockOwner(open: Pick<Open, 'sessionId' | 'volatileId'>): string {
  return `smb:${open.sessionId}:${open.volatileId}`;
}

export const lock: SmbHandler = {
  name: 'LOCK',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 48) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const count = r.u16();
    r.u32(); // LockSequence (resilient handles only)
    const open = openOf(ctx, r.u64(), r.u64());
    const elements = Array.from({ length: count }, () => {
      const offset = r.u64();
      const length = r.u64();
      const flags = r.u32();
      r.u32();
      return { offset, length, flags };
    });
    if (!r.ok || count === 0) throw new SmbStatusError(Status.INVALID_PARAMETER);
    if (open.pipe || open.isDirectory || open.share === undefined) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const locks = ctx.server.runtime.metadata.smbLocks;
    const file = fileKey(open.share, open.fileid);
    const owner = lockOwner(open);
    const unlocking = (elements[0]!.flags & LockFlag.UNLOCK) !== 0;
    if (unlocking) {
      // §3.3.5.14.1: unlocks run in order; the first that fails ends the request.
      for (const e of elements) {
        if (e.flags !== LockFlag.UNLOCK) throw new SmbStatusError(Status.INVALID_PARAMETER);
        if (!locks.unlock(file, owner, e.offset, e.length)) throw new SmbStatusError(Status.RANGE_NOT_LOCKED);
      }
    } else {
      for (const e of elements) {
        if (!validLockFlags(e.flags, count)) throw new SmbStatusError(Status.INVALID_PARAMETER);
        // MS-FSA §2.1.5.7: the last byte of the range must be addressable in 64 bits.
        if (e.length > 0n && e.offset + e.length - 1n > UINT64_MAX) throw new SmbStatusError(Status.INVALID_LOCK_RANGE);
      }
      const requests: RangeLock[] = elements.map((e) => ({
        owner,
        offset: e.offset,
        length: e.length,
        exclusive: (e.flags & LockFlag.EXCLUSIVE) !== 0,
      }));
      if (!locks.lock(file, requests)) throw new SmbStatusError(Status.LOCK_NOT_GRANTED);
    }
    return { status: Status.SUCCESS, body: Buffer.from([4, 0, 0, 0]) };
  },
};

/** §3.3.5.14.2: shared or exclusive (not both), FAIL_IMMEDIATELY required when several are sent. */
function validLockFlags(flags: number, count: number): boolean {
  const kind = flags & ~LockFlag.FAIL_IMMEDIATELY;
  if (kind !== LockFlag.SHARED && kind !== LockFlag.EXCLUSIVE) return false;
  return count === 1 || (flags & LockFlag.FAIL_IMMEDIATELY) !== 0;
}
