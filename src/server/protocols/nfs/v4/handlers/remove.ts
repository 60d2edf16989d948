/** RFC 7530 §16.26 REMOVE: a file or an empty directory; the content of a file's last link is deleted. */
import { FileType } from '../../../../metadata/types.ts';
import { releasePayload } from '../../files.ts';
import { checkComponent, decodeComponent } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { shareFh } from '../context.ts';
import type { Nfs4Op } from '../handler.ts';
import { changeInfo, encodeChangeInfo, type ChangeInfo } from '../objects.ts';

export const remove: Nfs4Op<string, ChangeInfo> = {
  name: 'REMOVE',
  decode: decodeComponent,
  async run(ctx, rawName) {
    const dir = shareFh(ctx, Nfs4Status.ROFS);
    const name = checkComponent(rawName);
    const md = ctx.server.runtime.metadata;
    const target = await md.lookup(ctx.auth, dir.fh, name);
    if (target.attr.type === FileType.Directory) return changeInfo((await md.rmdir(ctx.auth, dir.fh, name)).dirWcc);
    const res = await md.remove(ctx.auth, dir.fh, name);
    releasePayload({ runtime: ctx.server.runtime, share: dir.share.name }, res.freed);
    return changeInfo(res.dirWcc);
  },
  encode: (w, c) => encodeChangeInfo(w, c),
};
