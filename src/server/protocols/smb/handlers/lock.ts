/**
 * MS-SMB2 §3.3.5.14 LOCK: byte-range locks and unlocks on an open, in the lock manager every
 * protocol shares (MetadataService.locks), so they conflict with NFSv4 and NLM locks too.
 * Lock requests are all-or-nothing. A conflict is LOCK_NOT_GRANTED at once when the element
 * has FAIL_IMMEDIATELY; without it (one element only) the request goes asynchronous: an
 * interim STATUS_PENDING, then SUCCESS when the lock frees, STATUS_CANCELLED on CANCEL (and
 * when the connection goes), STATUS_RANGE_NOT_LOCKED on CLOSE of the open.
 */
import { fileKey, ownerKey, type LockRequest } from '../../../metadata/locks/lock-manager.ts';
import { HEADER_SIZE, Status } from '../constants.ts';
import { ERROR_BODY, openOf, SmbStatusError, type SmbHandler, type SmbReply } from '../handler.ts';
import { LeReader } from '../reader.ts';
import type { Open } from '../state.ts';

const UINT64_MAX = 0xffffffffffffffffn;
const SUCCESS_BODY = Buffer.from([4, 0, 0, 0]);

export const LockFlag = { SHARED: 0x1, EXCLUSIVE: 0x2, UNLOCK: 0x4, FAIL_IMMEDIATELY: 0x10 } as const;

/** The owner an open's locks are held under: the open is the owner (MS-FSA), the session its client. */
export function lockOwner(open: Pick<Open, 'sessionId' | 'volatileId'>): string {
  return ownerKey('smb', String(open.sessionId), String(open.volatileId));
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
    const locks = ctx.server.runtime.metadata.locks;
    const file = fileKey(open.share, open.fileid);
    const owner = lockOwner(open);
    const unlocking = (elements[0]!.flags & LockFlag.UNLOCK) !== 0;
    if (unlocking) {
      // §3.3.5.14.1: unlocks run in order; the first that fails ends the request.
      for (const e of elements) {
        if (e.flags !== LockFlag.UNLOCK) throw new SmbStatusError(Status.INVALID_PARAMETER);
        if (!(await locks.unlock(file, owner, e.offset, e.offset + e.length)))
          throw new SmbStatusError(Status.RANGE_NOT_LOCKED);
      }
      return { status: Status.SUCCESS, body: SUCCESS_BODY };
    }
    for (const e of elements) {
      if (!validLockFlags(e.flags, count)) throw new SmbStatusError(Status.INVALID_PARAMETER);
      // MS-FSA §2.1.5.7: the last byte of the range must be addressable in 64 bits.
      if (e.length > 0n && e.offset + e.length - 1n > UINT64_MAX) throw new SmbStatusError(Status.INVALID_LOCK_RANGE);
    }
    const requests: LockRequest[] = elements.map((e) => ({
      kind: e.flags & LockFlag.EXCLUSIVE ? 'write' : 'read',
      start: e.offset,
      end: e.offset + e.length,
    }));
    if (!(await locks.lockAll(file, owner, requests))) return { status: Status.SUCCESS, body: SUCCESS_BODY };
    if (elements[0]!.flags & LockFlag.FAIL_IMMEDIATELY) throw new SmbStatusError(Status.LOCK_NOT_GRANTED);
    return waitForLock(locks.wait(file, owner, requests));
  },
};

/**
 * §3.3.5.14.2 / §3.3.4.2: the blocking lock goes asynchronous until granted; CANCEL ends it
 * with STATUS_CANCELLED, the open's CLOSE with STATUS_RANGE_NOT_LOCKED (as Windows and Samba).
 */
function waitForLock(waiter: { granted: Promise<boolean>; cancel(): void }): SmbReply {
  let cancelled = false;
  const later = waiter.granted.then((granted): SmbReply => {
    if (granted) return { status: Status.SUCCESS, body: SUCCESS_BODY };
    return { status: cancelled ? Status.CANCELLED : Status.RANGE_NOT_LOCKED, body: ERROR_BODY };
  });
  const cancel = (): void => {
    cancelled = true;
    waiter.cancel();
  };
  return { status: Status.PENDING, body: ERROR_BODY, later, cancel };
}

/** §3.3.5.14.2: shared or exclusive (not both), FAIL_IMMEDIATELY required when several are sent. */
function validLockFlags(flags: number, count: number): boolean {
  const kind = flags & ~LockFlag.FAIL_IMMEDIATELY;
  if (kind !== LockFlag.SHARED && kind !== LockFlag.EXCLUSIVE) return false;
  return count === 1 || (flags & LockFlag.FAIL_IMMEDIATELY) !== 0;
}
