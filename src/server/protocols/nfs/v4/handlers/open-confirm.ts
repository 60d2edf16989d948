/** RFC 7530 §16.18 OPEN_CONFIRM: confirms a new open-owner's first OPEN; the stateid's seqid advances. */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeStateid, encodeStateid } from '../codec.ts';
import type { Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';
import { advanceSeqid } from '../owners.ts';

export const openConfirm: Nfs4Op<{ stateid: Stateid; seqid: number }, Stateid> = {
  name: 'OPEN_CONFIRM',
  decode: (r: XdrReader) => ({ stateid: decodeStateid(r), seqid: r.u32() }),
  run(ctx, a) {
    const { state } = ctx.server;
    const open = state.openState(a.stateid);
    advanceSeqid(open.owner, a.seqid);
    open.owner.confirmed = true;
    open.seqid += 1;
    return Promise.resolve({ seqid: open.seqid, other: open.other });
  },
  encode: (w, sid) => encodeStateid(w, sid),
};
