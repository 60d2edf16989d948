/**
 * RFC 7530 §16.32 SETATTR: mode, owner, group, times and size; a size change is I/O and is
 * checked against the stateid's open (or the deny modes, for the special stateids).
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { setAttrsWithSize } from '../../files.ts';
import { bitmapOf, bitsOf, decodeRawFattr, encodeBitmap, parseSetAttrs, type Bitmap, type RawFattr } from '../attrs.ts';
import { decodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { fileKeyOf, shareFh } from '../context.ts';
import type { Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';

export const setattr: Nfs4Op<{ stateid: Stateid; attrs: RawFattr }, Bitmap> = {
  name: 'SETATTR',
  decode: (r: XdrReader) => ({ stateid: decodeStateid(r), attrs: decodeRawFattr(r) }),
  async run(ctx, a) {
    const cur = shareFh(ctx, Nfs4Status.ROFS);
    const attrs = parseSetAttrs(a.attrs);
    const { runtime, state } = ctx.server;
    if (attrs.size !== undefined) {
      const attr = await runtime.metadata.getAttr(ctx.auth, cur.fh);
      state.checkIo(a.stateid, fileKeyOf(cur, attr.fileid), 'write');
    }
    await setAttrsWithSize({ runtime, share: cur.share.name }, ctx.auth, cur.fh, attrs);
    return bitmapOf(bitsOf(a.attrs.bitmap));
  },
  encode: (w, set) => encodeBitmap(w, set),
  encodeFailure: (w) => void w.u32(0),
};
