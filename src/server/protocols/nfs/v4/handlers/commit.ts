/** RFC 7530 §16.3 COMMIT: makes a file's unstable writes (data and size/mtime) durable; answers the write verifier. */
import type { XdrReader } from '../../../xdr/reader.ts';
import { requireRegular } from '../../files.ts';
import { Nfs4Status } from '../constants.ts';
import { shareFh } from '../context.ts';
import type { Nfs4Op } from '../handler.ts';

export const commit: Nfs4Op<{ offset: number; count: number }, Buffer> = {
  name: 'COMMIT',
  decode: (r: XdrReader) => ({ offset: r.u64(), count: r.u32() }),
  async run(ctx) {
    const cur = shareFh(ctx, Nfs4Status.ISDIR);
    const { metadata, payload } = ctx.server.runtime;
    const attr = await metadata.getAttr(ctx.auth, cur.fh);
    requireRegular(attr);
    await Promise.all([payload.flush(cur.share.name, attr.payloadId), metadata.persistWrites(ctx.auth, cur.fh)]);
    return ctx.server.verifier;
  },
  encode: (w, verifier) => void w.opaqueFixed(verifier),
};
