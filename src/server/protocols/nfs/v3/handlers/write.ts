/**
 * RFC 1813 §3.3.7 WRITE: store bytes, then extend size / mtime in the metadata. UNSTABLE
 * writes reply UNSTABLE, their metadata change kept in memory until COMMIT; DATA_SYNC and
 * FILE_SYNC make content and metadata durable and reply FILE_SYNC. The verifier is the boot verifier, so clients re-send uncommitted data after
 * a restart.
 */
import type { FileHandle, Wcc } from '../../../../metadata/types.ts';
import { DittoError } from '../../../../../shared/errors.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeFh } from '../codec/args.ts';
import { encodeWcc } from '../codec/attrs.ts';
import type { Nfs3Result } from '../codec/results.ts';
import { LIMITS, NFS3_OK, StableHow } from '../constants.ts';
import { requireRegular } from '../../files.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface WriteArgs {
  fh: FileHandle;
  offset: number;
  stable: number;
  /** A view into the request record: not copied. */
  data: Buffer;
}

export interface WriteRes extends Nfs3Result {
  wcc?: Wcc;
  ok?: { count: number; committed: number; verifier: Buffer };
}

export function decodeWriteArgs(r: XdrReader): WriteArgs {
  const fh = decodeFh(r);
  const offset = r.u64();
  const count = r.u32();
  const stable = r.enumBelow(3);
  const data = r.opaque(LIMITS.wtmax);
  // count must match the data actually sent
  if (data.length !== count) r.fail('range');
  return { fh, offset, stable, data };
}

export const write: Nfs3Handler<WriteArgs, WriteRes> = {
  name: 'WRITE',
  nonIdempotent: true,
  decode: decodeWriteArgs,
  target: (a) => a.fh,
  async run(ctx, a) {
    const end = a.offset + a.data.length;
    if (end > LIMITS.maxFileSize) throw new DittoError('FILE_TOO_LARGE');
    const { metadata, payload } = ctx.runtime;
    const before = await metadata.prepareWrite(ctx.auth, a.fh);
    requireRegular(before);
    await payload.writeAt(ctx.share, before.payloadId, a.data, a.offset);
    const committed = a.stable === StableHow.UNSTABLE ? StableHow.UNSTABLE : StableHow.FILE_SYNC;
    // UNSTABLE: the size/mtime change waits in memory for COMMIT, like the data.
    const [wcc] = await Promise.all([
      metadata.commitWrite(ctx.auth, a.fh, end, committed === StableHow.FILE_SYNC),
      committed === StableHow.FILE_SYNC ? payload.flush(ctx.share, before.payloadId) : undefined,
    ]);
    ctx.bytesWritten = a.data.length;
    return {
      status: NFS3_OK,
      wcc: { before: wcc.before ?? before, after: wcc.after },
      ok: { count: a.data.length, committed, verifier: ctx.verifier },
    };
  },
  encode(w, res, fsid) {
    w.u32(res.status);
    encodeWcc(w, res.wcc, fsid);
    if (res.ok) w.u32(res.ok.count).u32(res.ok.committed).opaqueFixed(res.ok.verifier);
    return undefined;
  },
};
