/** RFC 7530 §16.19 OPEN_DOWNGRADE: narrows an open's access and deny bits to a subset of what it holds. */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeStateid, encodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';
import { advanceSeqid } from '../owners.ts';

export interface OpenDowngradeArgs {
  stateid: Stateid;
  seqid: number;
  access: number;
  deny: number;
}

export const openDowngrade: Nfs4Op<OpenDowngradeArgs, Stateid> = {
  name: 'OPEN_DOWNGRADE',
  decode: (r: XdrReader) => ({ stateid: decodeStateid(r), seqid: r.u32(), access: r.u32(), deny: r.u32() }),
  run(ctx, a) {
    const { state } = ctx.server;
    const open = state.openState(a.stateid);
    advanceSeqid(open.owner, a.seqid);
    if (a.access === 0 || a.access & ~open.access || a.deny & ~open.deny) {
      throw new Nfs4Error(Nfs4Status.INVAL, 'not a subset of the open');
    }
    open.access = a.access;
    open.deny = a.deny;
    open.seqid += 1;
    return Promise.resolve({ seqid: open.seqid, other: open.other });
  },
  encode: (w, sid) => encodeStateid(w, sid),
};
