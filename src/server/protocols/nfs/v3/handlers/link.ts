/** RFC 1813 §3.3.15 LINK: a new hard link to a file, in the same share. */
import type { FileAttr, FileHandle, Wcc } from '../../../../metadata/types.ts';
import { DittoError } from '../../../../../shared/errors.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeDirOpArgs, decodeFh, type DirOpArgs } from '../codec/args.ts';
import { encodePostOpAttr, encodeWcc } from '../codec/attrs.ts';
import type { Nfs3Result } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface LinkArgs {
  file: FileHandle;
  link: DirOpArgs;
}

export interface LinkRes extends Nfs3Result {
  attr?: FileAttr;
  dirWcc?: Wcc;
}

export function decodeLinkArgs(r: XdrReader): LinkArgs {
  return { file: decodeFh(r), link: decodeDirOpArgs(r) };
}

export const link: Nfs3Handler<LinkArgs, LinkRes> = {
  name: 'LINK',
  nonIdempotent: true,
  decode: decodeLinkArgs,
  target: (a) => a.file,
  async run(ctx, a) {
    const md = ctx.runtime.metadata;
    if (md.shareOf(a.link.dir) !== ctx.share) throw new DittoError('CROSS_DEVICE');
    const { attr, dirWcc } = await md.link(ctx.auth, a.file, a.link.dir, a.link.name);
    return { status: NFS3_OK, attr, dirWcc };
  },
  encode(w, res, fsid) {
    w.u32(res.status);
    encodePostOpAttr(w, res.attr, fsid);
    encodeWcc(w, res.dirWcc, fsid);
    return undefined;
  },
};
