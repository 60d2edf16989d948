/**
 * RFC 7862 §15.13 CLONE: the current filehandle's file gets the saved filehandle's file's
 * content by sharing its blocks, not copying them. Served where the share's storage can
 * share blocks (a folder share on a reflink filesystem: btrfs, XFS) and only for a whole
 * file onto an empty one — source offset 0, count 0 or the source's size, destination offset
 * 0 — which is what `cp --reflink` sends: Node can clone whole files, not ranges. Anything
 * else, and every managed share, is NOTSUPP: the client copies instead (COPY, or READ+WRITE).
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';
import { filesForCopy } from '../io.ts';
import type { Stateid } from '../state-types.ts';

export interface CloneArgs {
  srcStateid: Stateid;
  dstStateid: Stateid;
  srcOffset: number;
  dstOffset: number;
  count: number;
}

export function decodeCloneArgs(r: XdrReader): CloneArgs {
  return {
    srcStateid: decodeStateid(r),
    dstStateid: decodeStateid(r),
    srcOffset: r.u64(),
    dstOffset: r.u64(),
    count: r.u64(),
  };
}

export const clone: Nfs4Op<CloneArgs, undefined> = {
  name: 'CLONE',
  decode: decodeCloneArgs,
  async run(ctx, a) {
    const { src, dst } = await filesForCopy(ctx, a.srcStateid, a.dstStateid);
    const dstFh = dst.fh;
    const size = src.attr.size;
    if (a.srcOffset > size || (a.count > 0 && a.srcOffset + a.count > size)) {
      throw new Nfs4Error(Nfs4Status.INVAL, 'range past the end of the source');
    }
    if (src.attr.fileid === dst.attr.fileid) throw new Nfs4Error(Nfs4Status.INVAL, 'a file onto itself');
    const wholeFile = a.srcOffset === 0 && a.dstOffset === 0 && (a.count === 0 || a.count === size);
    if (!wholeFile || dst.attr.size !== 0) throw new Nfs4Error(Nfs4Status.NOTSUPP, 'only whole files onto empty ones');
    const { payload, metadata } = ctx.server.runtime;
    const cloned = await payload.cloneWhole(dstFh.share.name, src.attr.payloadId, dst.attr.payloadId);
    if (!cloned) throw new Nfs4Error(Nfs4Status.NOTSUPP, 'the share cannot share blocks between these files');
    if (size > 0) await metadata.commitWrite(ctx.auth, dstFh.fh, size, false);
    return undefined;
  },
  encode: noBody,
};
