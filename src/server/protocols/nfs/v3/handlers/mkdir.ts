/** RFC 1813 §3.3.9 MKDIR: a new directory. */
import type { SetAttrs } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeDirOpArgs, decodeSattr3, type DirOpArgs } from '../codec/args.ts';
import { encodeCreatedRes, type CreatedRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface MkdirArgs {
  where: DirOpArgs;
  attrs: SetAttrs;
}

export function decodeMkdirArgs(r: XdrReader): MkdirArgs {
  return { where: decodeDirOpArgs(r), attrs: decodeSattr3(r) };
}

export const mkdir: Nfs3Handler<MkdirArgs, CreatedRes> = {
  name: 'MKDIR',
  nonIdempotent: true,
  decode: decodeMkdirArgs,
  target: (a) => a.where.dir,
  async run(ctx, a) {
    const e = await ctx.runtime.metadata.mkdir(ctx.auth, a.where.dir, a.where.name, a.attrs);
    return { status: NFS3_OK, dirWcc: e.dirWcc, ok: { handle: e.handle, attr: e.attr } };
  },
  encode: encodeCreatedRes,
};
