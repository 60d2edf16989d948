/**
 * RFC 7862 §15.2 COPY: server-side copy from the saved filehandle's file to the current
 * one's, within one share (another share is XDEV; a source server list, i.e. an
 * inter-server copy, is NOTSUPP). Always synchronous: the reply comes when the bytes are
 * copied, with no callback stateid, so the server never calls the client back. A count of
 * 0 copies to the end of the source; a range past the source's end is copied as far as it
 * goes (a short copy, as knfsd). UNSTABLE like WRITE: COMMIT makes it durable.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import type { XdrWriter } from '../../../xdr/writer.ts';
import { DittoError } from '../../../../../shared/errors.ts';
import { LIMITS } from '../../v3/constants.ts';
import { Nfs4Status, StableHow4 } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { copyRange } from '../../../content-range.ts';
import { contentOf, filesForCopy } from '../io.ts';
import { decodeCloneArgs, type CloneArgs } from './clone.ts';

/** Largest copy in one COMPOUND; a longer one is answered short and the client continues. */
export const MAX_COPY_BYTES = 64 * 1024 * 1024;
const MAX_SOURCE_SERVERS = 16;
const NL4_NETADDR = 3;

export interface CopyArgs extends CloneArgs {
  consecutive: boolean;
  synchronous: boolean;
  sourceServers: number;
}

export interface CopyRes {
  count: number;
  verifier: Buffer;
  consecutive: boolean;
}

function skipNetlocs(r: XdrReader): number {
  const n = r.u32();
  if (n > MAX_SOURCE_SERVERS) {
    r.fail('too-long');
    return 0;
  }
  for (let i = 0; i < n && r.ok; i++) {
    const type = r.u32();
    r.string(1024);
    if (type === NL4_NETADDR) r.string(1024);
  }
  return n;
}

export function decodeCopyArgs(r: XdrReader): CopyArgs {
  return {
    ...decodeCloneArgs(r), // the same five fields lead both
    consecutive: r.bool(),
    synchronous: r.bool(),
    sourceServers: skipNetlocs(r),
  };
}

export const copy: Nfs4Op<CopyArgs, CopyRes> = {
  name: 'COPY',
  decode: decodeCopyArgs,
  async run(ctx, a) {
    if (a.sourceServers > 0) throw new Nfs4Error(Nfs4Status.NOTSUPP, 'inter-server copy');
    const { src, dst } = await filesForCopy(ctx, a.srcStateid, a.dstStateid);
    if (a.srcOffset > src.attr.size) throw new Nfs4Error(Nfs4Status.INVAL, 'source offset past the end');
    const wanted = a.count === 0 ? src.attr.size - a.srcOffset : a.count;
    const count = Math.min(wanted, src.attr.size - a.srcOffset, MAX_COPY_BYTES);
    const overlap = a.srcOffset < a.dstOffset + count && a.dstOffset < a.srcOffset + count;
    if (src.attr.fileid === dst.attr.fileid && count > 0 && overlap) {
      throw new Nfs4Error(Nfs4Status.INVAL, 'overlapping ranges of one file');
    }
    const end = a.dstOffset + count;
    if (end > LIMITS.maxFileSize) throw new DittoError('FILE_TOO_LARGE');
    await copyRange(ctx.server.runtime.payload, contentOf(src), a.srcOffset, contentOf(dst), a.dstOffset, count);
    if (count > 0) await ctx.server.runtime.metadata.commitWrite(ctx.auth, dst.fh.fh, end, false);
    ctx.bytesRead = ctx.bytesWritten = count;
    return { count, verifier: ctx.server.verifier, consecutive: a.consecutive };
  },
  encode(w: XdrWriter, res) {
    w.u32(0); // wr_callback_id<1>: none, the copy is done
    w.u64(res.count).u32(StableHow4.UNSTABLE).opaqueFixed(res.verifier);
    w.bool(res.consecutive).bool(true); // cr_consecutive, cr_synchronous
  },
};
