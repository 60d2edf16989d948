/**
 * RFC 7530 §16.2 CLOSE: releases an open and its share reservation; the returned stateid is
 * no longer usable. The open's hold on its file ends: a file with no name left goes now.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeStateid, encodeStateid } from '../codec.ts';
import type { Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';
import { advanceSeqid } from '../owners.ts';

export const close: Nfs4Op<{ seqid: number; stateid: Stateid }, Stateid> = {
  name: 'CLOSE',
  decode: (r: XdrReader) => ({ seqid: r.u32(), stateid: decodeStateid(r) }),
  async run(ctx, a) {
    const { state } = ctx.server;
    const open = state.openState(a.stateid);
    advanceSeqid(open.owner, a.seqid);
    await state.close(open);
    return { seqid: open.seqid + 1, other: open.other };
  },
  encode: (w, res) => encodeStateid(w, res),
};
