/**
 * RFC 1813 §3.3.17 READDIRPLUS: directory entries with attributes and handles, within
 * `maxcount` bytes in all and `dircount` bytes of names and cookies.
 */
import type { FileHandle } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeFh } from '../codec/args.ts';
import { encodePostOpAttr, encodePostOpFh } from '../codec/attrs.ts';
import { encodeAttrResHead, type AttrRes } from '../codec/results.ts';
import { NFS3_OK, NFS3_VERFSIZE } from '../constants.ts';
import { listDirectory, ReplyBudget, type ListedEntry } from '../dirlist.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface ReaddirplusArgs {
  dir: FileHandle;
  cookie: number;
  cookieverf: Buffer;
  dircount: number;
  maxcount: number;
}

export type ReaddirplusRes = AttrRes<{ verifier: Buffer; entries: ListedEntry[]; eof: boolean }>;

export function decodeReaddirplusArgs(r: XdrReader): ReaddirplusArgs {
  return {
    dir: decodeFh(r),
    cookie: r.u64(),
    cookieverf: r.opaqueFixed(NFS3_VERFSIZE),
    dircount: r.u32(),
    maxcount: r.u32(),
  };
}

export const readdirplus: Nfs3Handler<ReaddirplusArgs, ReaddirplusRes> = {
  name: 'READDIRPLUS',
  decode: decodeReaddirplusArgs,
  target: (a) => a.dir,
  async run(ctx, a) {
    const budget = new ReplyBudget(true, a.maxcount, a.dircount);
    const l = await listDirectory(ctx, a.dir, a.cookie, a.cookieverf, budget);
    return { status: NFS3_OK, attr: l.dirAttr, ok: { verifier: l.verifier, entries: l.entries, eof: l.eof } };
  },
  encode(w, res, fsid) {
    const ok = encodeAttrResHead(w, res, fsid);
    if (!ok) return undefined;
    w.opaqueFixed(ok.verifier);
    for (const e of ok.entries) {
      w.bool(true).u64(e.fileid).string(e.name).u64(e.cookie);
      encodePostOpAttr(w, e.attr, fsid);
      encodePostOpFh(w, e.handle);
    }
    w.bool(false).bool(ok.eof);
    return undefined;
  },
};
