/** RFC 1813 §3.3.18 FSSTAT: space and file counts of the share. */
import type { FsStat } from '../../../../metadata/types.ts';
import { decodeFhArgs, type FhArgs } from '../codec/args.ts';
import { encodeAttrResHead, type AttrRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export type FsstatRes = AttrRes<FsStat>;

export const fsstat: Nfs3Handler<FhArgs, FsstatRes> = {
  name: 'FSSTAT',
  decode: decodeFhArgs,
  target: (a) => a.fh,
  async run(ctx, a) {
    const md = ctx.runtime.metadata;
    const [attr, stat] = await Promise.all([md.getAttr(ctx.auth, a.fh), md.fsStat(ctx.auth, a.fh)]);
    return { status: NFS3_OK, attr, ok: stat };
  },
  encode(w, res, fsid) {
    const s = encodeAttrResHead(w, res, fsid);
    if (!s) return undefined;
    w.u64(s.totalBytes).u64(s.freeBytes).u64(s.availBytes).u64(s.totalFiles).u64(s.freeFiles).u64(s.availFiles);
    // invarsec: the values may change at any time
    w.u32(0);
    return undefined;
  },
};
