/**
 * RFC 7530 §16.36 WRITE: bytes into a regular file under an open (or special) stateid.
 * UNSTABLE writes reply UNSTABLE and wait for COMMIT; DATA_SYNC and FILE_SYNC are durable
 * before the reply. The verifier is the boot verifier.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { DittoError } from '../../../../../shared/errors.ts';
import { requireRegular } from '../../files.ts';
import { LIMITS } from '../../v3/constants.ts';
import { decodeStateid } from '../codec.ts';
import { Nfs4Status, StableHow4 } from '../constants.ts';
import { fileKeyOf, shareFh } from '../context.ts';
import type { Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';

export interface WriteArgs {
  stateid: Stateid;
  offset: number;
  stable: number;
  /** A view into the request record: not copied. */
  data: Buffer;
}

export const write: Nfs4Op<WriteArgs, { count: number; committed: number; verifier: Buffer }> = {
  name: 'WRITE',
  decode: (r: XdrReader) => ({
    stateid: decodeStateid(r),
    offset: r.u64(),
    stable: r.enumBelow(3),
    data: r.opaque(LIMITS.wtmax),
  }),
  async run(ctx, a) {
    const cur = shareFh(ctx, Nfs4Status.ISDIR);
    const end = a.offset + a.data.length;
    if (end > LIMITS.maxFileSize) throw new DittoError('FILE_TOO_LARGE');
    const { metadata, payload } = ctx.server.runtime;
    const before = await metadata.prepareWrite(ctx.auth, cur.fh);
    requireRegular(before);
    ctx.server.state.checkIo(a.stateid, fileKeyOf(cur, before.fileid), 'write');
    await payload.writeAt(cur.share.name, before.payloadId, a.data, a.offset);
    const stable = a.stable !== StableHow4.UNSTABLE;
    await Promise.all([
      metadata.commitWrite(ctx.auth, cur.fh, end, stable),
      stable ? payload.flush(cur.share.name, before.payloadId) : undefined,
    ]);
    ctx.bytesWritten = a.data.length;
    const committed = stable ? StableHow4.FILE_SYNC : StableHow4.UNSTABLE;
    return { count: a.data.length, committed, verifier: ctx.server.verifier };
  },
  encode: (w, res) => void w.u32(res.count).u32(res.committed).opaqueFixed(res.verifier),
};
