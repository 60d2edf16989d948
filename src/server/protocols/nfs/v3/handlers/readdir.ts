/** RFC 1813 §3.3.16 READDIR: names and fileids of a directory, within `count` bytes. */
import type { FileHandle } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeFh } from '../codec/args.ts';
import { encodeAttrResHead, type AttrRes } from '../codec/results.ts';
import { NFS3_OK, NFS3_VERFSIZE } from '../constants.ts';
import { listDirectory, ReplyBudget, type ListedEntry } from '../dirlist.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface ReaddirArgs {
  dir: FileHandle;
  cookie: number;
  cookieverf: Buffer;
  count: number;
}

export type ReaddirRes = AttrRes<{ verifier: Buffer; entries: ListedEntry[]; eof: boolean }>;

export function decodeReaddirArgs(r: XdrReader): ReaddirArgs {
  return { dir: decodeFh(r), cookie: r.u64(), cookieverf: r.opaqueFixed(NFS3_VERFSIZE), count: r.u32() };
}

export const readdir: Nfs3Handler<ReaddirArgs, ReaddirRes> = {
  name: 'READDIR',
  decode: decodeReaddirArgs,
  target: (a) => a.dir,
  async run(ctx, a) {
    const budget = new ReplyBudget(false, a.count, 0);
    const l = await listDirectory(ctx, a.dir, a.cookie, a.cookieverf, budget);
    return { status: NFS3_OK, attr: l.dirAttr, ok: { verifier: l.verifier, entries: l.entries, eof: l.eof } };
  },
  encode(w, res, fsid) {
    const ok = encodeAttrResHead(w, res, fsid);
    if (!ok) return undefined;
    w.opaqueFixed(ok.verifier);
    for (const e of ok.entries) w.bool(true).u64(e.fileid).string(e.name).u64(e.cookie);
    w.bool(false).bool(ok.eof);
    return undefined;
  },
};
