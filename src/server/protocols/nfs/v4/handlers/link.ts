/** RFC 7530 §16.9 LINK: a new name in the current directory for the saved filehandle's file. */
import { checkComponent, decodeComponent } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { savedFh, shareFh } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { changeInfo, encodeChangeInfo, type ChangeInfo } from '../objects.ts';

export const link: Nfs4Op<string, ChangeInfo> = {
  name: 'LINK',
  decode: decodeComponent,
  async run(ctx, newName) {
    const file = savedFh(ctx);
    const dir = shareFh(ctx, Nfs4Status.ROFS);
    if (file.kind === 'pseudo') throw new Nfs4Error(Nfs4Status.ISDIR);
    if (file.share.id !== dir.share.id) throw new Nfs4Error(Nfs4Status.XDEV);
    const res = await ctx.server.runtime.metadata.link(ctx.auth, file.fh, dir.fh, checkComponent(newName));
    return changeInfo(res.dirWcc);
  },
  encode: (w, c) => encodeChangeInfo(w, c),
};
