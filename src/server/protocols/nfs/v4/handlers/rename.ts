/** RFC 7530 §16.27 RENAME: from the saved directory to the current one, within a share. */
import type { XdrReader } from '../../../xdr/reader.ts';
import { releasePayload } from '../../files.ts';
import { checkComponent, decodeComponent } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { savedFh, shareFh } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { changeInfo, encodeChangeInfo, type ChangeInfo } from '../objects.ts';

export const rename: Nfs4Op<{ from: string; to: string }, { source: ChangeInfo; target: ChangeInfo }> = {
  name: 'RENAME',
  decode: (r: XdrReader) => ({ from: decodeComponent(r), to: decodeComponent(r) }),
  async run(ctx, a) {
    const src = savedFh(ctx);
    const dst = shareFh(ctx, Nfs4Status.ROFS);
    if (src.kind === 'pseudo') throw new Nfs4Error(Nfs4Status.ROFS);
    if (src.share.id !== dst.share.id) throw new Nfs4Error(Nfs4Status.XDEV);
    const md = ctx.server.runtime.metadata;
    const res = await md.rename(ctx.auth, src.fh, checkComponent(a.from), dst.fh, checkComponent(a.to));
    releasePayload({ runtime: ctx.server.runtime, share: dst.share.name }, res.freed);
    return { source: changeInfo(res.fromWcc), target: changeInfo(res.toWcc) };
  },
  encode(w, res) {
    encodeChangeInfo(w, res.source);
    encodeChangeInfo(w, res.target);
  },
};
