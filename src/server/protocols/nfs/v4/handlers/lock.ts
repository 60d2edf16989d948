/**
 * RFC 7530 §16.10 LOCK: a byte-range lock for a lock-owner, in the shared LockManager, so it
 * conflicts with every other owner's (any protocol). The first LOCK of a lock-owner comes
 * with its open stateid and makes a lock stateid; later ones name that. Blocking types
 * (READW/WRITEW) are answered like the others: DENIED and the client polls. Reclaims only
 * during the grace period, new locks only after it (state.ts). A refused first LOCK of a
 * lock-owner leaves no lock stateid or lock-owner behind (state.forgetUngranted).
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeClientId, decodeStateid, encodeStateid } from '../codec.ts';
import { Nfs4Status, NFS4_MAXOPAQUE, SHARE_ACCESS_WRITE } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { decodeU64Range, denied, encodeDenied, lockedFileKey, lockKindOf, rangeOf } from '../locking.ts';
import type { LockState, Stateid } from '../state-types.ts';
import { advanceSeqid, lockOwnerOf } from '../owners.ts';

export type Locker =
  | { newOwner: true; openSeqid: number; openStateid: Stateid; lockSeqid: number; clientid: Buffer; owner: Buffer }
  | { newOwner: false; lockStateid: Stateid; lockSeqid: number };

export interface LockArgs {
  locktype: number;
  reclaim: boolean;
  offset: bigint;
  length: bigint;
  locker: Locker;
}

export function decodeLockArgs(r: XdrReader): LockArgs {
  const locktype = r.u32();
  const reclaim = r.bool();
  const offset = decodeU64Range(r);
  const length = decodeU64Range(r);
  const locker: Locker = r.bool()
    ? {
        newOwner: true,
        openSeqid: r.u32(),
        openStateid: decodeStateid(r),
        lockSeqid: r.u32(),
        clientid: decodeClientId(r),
        owner: Buffer.from(r.opaque(NFS4_MAXOPAQUE)),
      }
    : { newOwner: false, lockStateid: decodeStateid(r), lockSeqid: r.u32() };
  return { locktype, reclaim, offset, length, locker };
}

export const lock: Nfs4Op<LockArgs, Stateid> = {
  name: 'LOCK',
  decode: decodeLockArgs,
  async run(ctx, a) {
    const fileKey = await lockedFileKey(ctx);
    const range = rangeOf(a.offset, a.length);
    const { state } = ctx.server;
    const kind = lockKindOf(a.locktype);
    let ls: LockState;
    if (a.locker.newOwner) {
      const open = state.openState(a.locker.openStateid);
      advanceSeqid(open.owner, a.locker.openSeqid);
      if (!open.owner.client.clientid.equals(a.locker.clientid)) throw new Nfs4Error(Nfs4Status.STALE_CLIENTID);
      const owner = lockOwnerOf(open.owner.client, a.locker.owner);
      advanceSeqid(owner, a.locker.lockSeqid);
      ls = state.lockStateFor(open, owner);
    } else {
      ls = state.lockState(a.locker.lockStateid);
      advanceSeqid(ls.lockOwner, a.locker.lockSeqid);
    }
    try {
      state.checkGrace(ls.lockOwner.client, a.reclaim);
      if (ls.open.fileKey !== fileKey) throw new Nfs4Error(Nfs4Status.BAD_STATEID);
      if (kind === 'write' && !(ls.open.access & SHARE_ACCESS_WRITE)) throw new Nfs4Error(Nfs4Status.OPENMODE);
      const conflict = await ctx.server.runtime.metadata.locks.lock(
        fileKey,
        ls.lockOwner.key,
        kind,
        range.start,
        range.end,
      );
      if (conflict) throw denied(conflict);
    } catch (err) {
      if (a.locker.newOwner) state.forgetUngranted(ls);
      throw err;
    }
    ls.seqid += 1;
    return { seqid: ls.seqid, other: ls.other };
  },
  encode: (w, sid) => encodeStateid(w, sid),
  encodeFailure: encodeDenied,
};
