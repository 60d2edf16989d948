/** RFC 1813 §3.3.1 GETATTR: the attributes of a file system object. */
import type { FileAttr } from '../../../../metadata/types.ts';
import { encodeFattr3 } from '../codec/attrs.ts';
import { decodeFhArgs, type FhArgs } from '../codec/args.ts';
import type { Nfs3Result } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface GetattrRes extends Nfs3Result {
  ok?: { attr: FileAttr };
}

export const getattr: Nfs3Handler<FhArgs, GetattrRes> = {
  name: 'GETATTR',
  decode: decodeFhArgs,
  target: (a) => a.fh,
  run: async (ctx, a) => ({ status: NFS3_OK, ok: { attr: await ctx.runtime.metadata.getAttr(ctx.auth, a.fh) } }),
  encode(w, res, fsid) {
    w.u32(res.status);
    if (res.ok) encodeFattr3(w, res.ok.attr, fsid);
    return undefined;
  },
};
