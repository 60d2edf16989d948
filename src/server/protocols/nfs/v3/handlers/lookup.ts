/** RFC 1813 §3.3.3 LOOKUP: the handle and attributes of a name in a directory. */
import type { FileAttr, FileHandle } from '../../../../metadata/types.ts';
import { decodeDirOpArgs, type DirOpArgs } from '../codec/args.ts';
import { encodePostOpAttr } from '../codec/attrs.ts';
import type { Nfs3Result } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface LookupRes extends Nfs3Result {
  dirAttr?: FileAttr;
  ok?: { handle: FileHandle; attr: FileAttr };
}

export const lookup: Nfs3Handler<DirOpArgs, LookupRes> = {
  name: 'LOOKUP',
  decode: decodeDirOpArgs,
  target: (a) => a.dir,
  async run(ctx, a) {
    const e = await ctx.runtime.metadata.lookup(ctx.auth, a.dir, a.name);
    return { status: NFS3_OK, dirAttr: e.dirAttr, ok: { handle: e.handle, attr: e.attr } };
  },
  encode(w, res, fsid) {
    w.u32(res.status);
    if (res.ok) {
      w.opaque(res.ok.handle);
      encodePostOpAttr(w, res.ok.attr, fsid);
    }
    encodePostOpAttr(w, res.dirAttr, fsid);
    return undefined;
  },
};
