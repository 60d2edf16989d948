/** RFC 1813 §3.3.20 PATHCONF: POSIX pathconf values of the share. */
import { decodeFhArgs, type FhArgs } from '../codec/args.ts';
import { encodeAttrResHead, type AttrRes } from '../codec/results.ts';
import { LIMITS, NAME_MAX, NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface PathConf {
  linkMax: number;
  nameMax: number;
  noTrunc: boolean;
  chownRestricted: boolean;
  caseInsensitive: boolean;
  casePreserving: boolean;
}

export const PATHCONF: PathConf = {
  linkMax: LIMITS.linkMax,
  nameMax: NAME_MAX,
  noTrunc: true,
  chownRestricted: true,
  caseInsensitive: false,
  casePreserving: true,
};

export type PathconfRes = AttrRes<PathConf>;

export const pathconf: Nfs3Handler<FhArgs, PathconfRes> = {
  name: 'PATHCONF',
  decode: decodeFhArgs,
  target: (a) => a.fh,
  run: async (ctx, a) => ({ status: NFS3_OK, attr: await ctx.runtime.metadata.getAttr(ctx.auth, a.fh), ok: PATHCONF }),
  encode(w, res, fsid) {
    const p = encodeAttrResHead(w, res, fsid);
    if (!p) return undefined;
    w.u32(p.linkMax)
      .u32(p.nameMax)
      .bool(p.noTrunc)
      .bool(p.chownRestricted)
      .bool(p.caseInsensitive)
      .bool(p.casePreserving);
    return undefined;
  },
};
