/** RFC 1813 §3.3.10 SYMLINK: a new symbolic link. */
import type { SetAttrs } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeDirOpArgs, decodePath, decodeSattr3, type DirOpArgs } from '../codec/args.ts';
import { encodeCreatedRes, type CreatedRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface SymlinkArgs {
  where: DirOpArgs;
  attrs: SetAttrs;
  target: string;
}

export function decodeSymlinkArgs(r: XdrReader): SymlinkArgs {
  return { where: decodeDirOpArgs(r), attrs: decodeSattr3(r), target: decodePath(r) };
}

export const symlink: Nfs3Handler<SymlinkArgs, CreatedRes> = {
  name: 'SYMLINK',
  nonIdempotent: true,
  decode: decodeSymlinkArgs,
  target: (a) => a.where.dir,
  async run(ctx, a) {
    const e = await ctx.runtime.metadata.symlink(ctx.auth, a.where.dir, a.where.name, a.target, a.attrs);
    return { status: NFS3_OK, dirWcc: e.dirWcc, ok: { handle: e.handle, attr: e.attr } };
  },
  encode: encodeCreatedRes,
};
