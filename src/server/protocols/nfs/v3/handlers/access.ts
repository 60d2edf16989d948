/** RFC 1813 §3.3.4 ACCESS: which of the requested access rights the caller holds. */
import type { FileHandle } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeFh } from '../codec/args.ts';
import { encodeAttrResHead, type AttrRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface AccessArgs {
  fh: FileHandle;
  /** ACCESS3_* bits. */
  access: number;
}

export type AccessRes = AttrRes<{ access: number }>;

export function decodeAccessArgs(r: XdrReader): AccessArgs {
  return { fh: decodeFh(r), access: r.u32() };
}

export const access: Nfs3Handler<AccessArgs, AccessRes> = {
  name: 'ACCESS',
  decode: decodeAccessArgs,
  target: (a) => a.fh,
  async run(ctx, a) {
    const { granted, attr } = await ctx.runtime.metadata.access(ctx.auth, a.fh, a.access);
    return { status: NFS3_OK, attr, ok: { access: granted } };
  },
  encode(w, res, fsid) {
    const ok = encodeAttrResHead(w, res, fsid);
    if (ok) w.u32(ok.access);
    return undefined;
  },
};
