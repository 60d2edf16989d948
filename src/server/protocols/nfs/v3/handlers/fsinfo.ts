/**
 * RFC 1813 §3.3.19 FSINFO: static limits — 1 MiB reads and writes, 64 KiB READDIR,
 * nanosecond times, hard links and symlinks supported, times settable.
 */
import { decodeFhArgs, type FhArgs } from '../codec/args.ts';
import { encodeAttrResHead, type AttrRes } from '../codec/results.ts';
import { FSF3, LIMITS, NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface FsInfo {
  rtmax: number;
  rtpref: number;
  rtmult: number;
  wtmax: number;
  wtpref: number;
  wtmult: number;
  dtpref: number;
  maxFileSize: number;
  timeDelta: { sec: number; nsec: number };
  properties: number;
}

export const FSINFO: FsInfo = {
  rtmax: LIMITS.rtmax,
  rtpref: LIMITS.rtpref,
  rtmult: LIMITS.mult,
  wtmax: LIMITS.wtmax,
  wtpref: LIMITS.wtpref,
  wtmult: LIMITS.mult,
  dtpref: LIMITS.dtpref,
  maxFileSize: LIMITS.maxFileSize,
  timeDelta: { sec: 0, nsec: 1 },
  properties: FSF3.LINK | FSF3.SYMLINK | FSF3.HOMOGENEOUS | FSF3.CANSETTIME,
};

export type FsinfoRes = AttrRes<FsInfo>;

export const fsinfo: Nfs3Handler<FhArgs, FsinfoRes> = {
  name: 'FSINFO',
  decode: decodeFhArgs,
  target: (a) => a.fh,
  run: async (ctx, a) => ({ status: NFS3_OK, attr: await ctx.runtime.metadata.getAttr(ctx.auth, a.fh), ok: FSINFO }),
  encode(w, res, fsid) {
    const i = encodeAttrResHead(w, res, fsid);
    if (!i) return undefined;
    w.u32(i.rtmax).u32(i.rtpref).u32(i.rtmult).u32(i.wtmax).u32(i.wtpref).u32(i.wtmult).u32(i.dtpref);
    w.u64(i.maxFileSize).u32(i.timeDelta.sec).u32(i.timeDelta.nsec).u32(i.properties);
    return undefined;
  },
};
