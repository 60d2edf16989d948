/** RFC 7530 §16.12 LOCKU: releases a lock-owner's locks over a range (the parts outside it stay). */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeStateid, encodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { decodeU64Range, lockedFileKey, rangeOf } from '../locking.ts';
import type { Stateid } from '../state-types.ts';
import { advanceSeqid } from '../owners.ts';

export interface LockuArgs {
  locktype: number;
  seqid: number;
  stateid: Stateid;
  offset: bigint;
  length: bigint;
}

export const locku: Nfs4Op<LockuArgs, Stateid> = {
  name: 'LOCKU',
  decode: (r: XdrReader) => ({
    locktype: r.u32(),
    seqid: r.u32(),
    stateid: decodeStateid(r),
    offset: decodeU64Range(r),
    length: decodeU64Range(r),
  }),
  async run(ctx, a) {
    const fileKey = await lockedFileKey(ctx);
    const range = rangeOf(a.offset, a.length);
    const { state } = ctx.server;
    const ls = state.lockState(a.stateid);
    advanceSeqid(ls.lockOwner, a.seqid);
    if (ls.open.fileKey !== fileKey) throw new Nfs4Error(Nfs4Status.BAD_STATEID);
    await ctx.server.runtime.metadata.locks.unlock(fileKey, ls.lockOwner.key, range.start, range.end);
    ls.seqid += 1;
    return { seqid: ls.seqid, other: ls.other };
  },
  encode: (w, sid) => encodeStateid(w, sid),
};
