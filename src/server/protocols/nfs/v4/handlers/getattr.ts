/** RFC 7530 §16.7 GETATTR: the requested attributes this server supports, of the current object. */
import { decodeBitmap, encodeFattr, type AttrSource, type Bitmap } from '../attrs.ts';
import { currentFh } from '../context.ts';
import type { Nfs4Op } from '../handler.ts';
import { describe } from '../objects.ts';

export const getattr: Nfs4Op<Bitmap, { requested: Bitmap; source: AttrSource }> = {
  name: 'GETATTR',
  decode: decodeBitmap,
  async run(ctx, requested) {
    const cur = currentFh(ctx);
    if (cur.kind === 'share') ctx.share = cur.share.name;
    return { requested, source: await describe(ctx, cur, requested) };
  },
  encode: (w, res) => encodeFattr(w, res.requested, res.source),
};
