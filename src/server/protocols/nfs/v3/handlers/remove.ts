/** RFC 1813 §3.3.12 REMOVE: unlink a non-directory; the content goes with its last link. */
import { decodeDirOpArgs, type DirOpArgs } from '../codec/args.ts';
import { encodeWccRes, type WccRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import { releasePayload } from '../../files.ts';
import type { Nfs3Handler } from '../handler.ts';

export const remove: Nfs3Handler<DirOpArgs, WccRes> = {
  name: 'REMOVE',
  nonIdempotent: true,
  decode: decodeDirOpArgs,
  target: (a) => a.dir,
  async run(ctx, a) {
    const { dirWcc, freed } = await ctx.runtime.metadata.remove(ctx.auth, a.dir, a.name);
    releasePayload(ctx, freed);
    return { status: NFS3_OK, wcc: dirWcc };
  },
  encode: encodeWccRes,
};
