/** RFC 1813 §3.3.13 RMDIR: remove an empty directory. */
import { decodeDirOpArgs, type DirOpArgs } from '../codec/args.ts';
import { encodeWccRes, type WccRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export const rmdir: Nfs3Handler<DirOpArgs, WccRes> = {
  name: 'RMDIR',
  nonIdempotent: true,
  decode: decodeDirOpArgs,
  target: (a) => a.dir,
  async run(ctx, a) {
    const { dirWcc } = await ctx.runtime.metadata.rmdir(ctx.auth, a.dir, a.name);
    return { status: NFS3_OK, wcc: dirWcc };
  },
  encode: encodeWccRes,
};
