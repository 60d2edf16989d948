/** RFC 1813 §3.3.5 READLINK: the target of a symbolic link. */
import { decodeFhArgs, type FhArgs } from '../codec/args.ts';
import { encodeAttrResHead, type AttrRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export type ReadlinkRes = AttrRes<{ target: string }>;

export const readlink: Nfs3Handler<FhArgs, ReadlinkRes> = {
  name: 'READLINK',
  decode: decodeFhArgs,
  target: (a) => a.fh,
  async run(ctx, a) {
    const { target, attr } = await ctx.runtime.metadata.readLink(ctx.auth, a.fh);
    return { status: NFS3_OK, attr, ok: { target } };
  },
  encode(w, res, fsid) {
    const ok = encodeAttrResHead(w, res, fsid);
    if (ok) w.string(ok.target);
    return undefined;
  },
};
