/**
 * RFC 1813 §3.3.14 RENAME: atomically move a name, replacing a compatible target; the
 * replaced file's content goes with its last link. Both directories must be in one share.
 */
import type { Wcc } from '../../../../metadata/types.ts';
import { DittoError } from '../../../../../shared/errors.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeDirOpArgs, type DirOpArgs } from '../codec/args.ts';
import { encodeWcc } from '../codec/attrs.ts';
import type { Nfs3Result } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import { releasePayload } from '../../files.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface RenameArgs {
  from: DirOpArgs;
  to: DirOpArgs;
}

export interface RenameRes extends Nfs3Result {
  fromWcc?: Wcc;
  toWcc?: Wcc;
}

export function decodeRenameArgs(r: XdrReader): RenameArgs {
  return { from: decodeDirOpArgs(r), to: decodeDirOpArgs(r) };
}

export const rename: Nfs3Handler<RenameArgs, RenameRes> = {
  name: 'RENAME',
  nonIdempotent: true,
  decode: decodeRenameArgs,
  target: (a) => a.from.dir,
  async run(ctx, a) {
    const md = ctx.runtime.metadata;
    if (md.shareOf(a.to.dir) !== ctx.share) throw new DittoError('CROSS_DEVICE');
    const { fromWcc, toWcc, freed } = await md.rename(ctx.auth, a.from.dir, a.from.name, a.to.dir, a.to.name);
    releasePayload(ctx, freed);
    return { status: NFS3_OK, fromWcc, toWcc };
  },
  encode(w, res, fsid) {
    w.u32(res.status);
    encodeWcc(w, res.fromWcc, fsid);
    encodeWcc(w, res.toWcc, fsid);
    return undefined;
  },
};
