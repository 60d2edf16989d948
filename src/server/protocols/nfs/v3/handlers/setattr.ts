/**
 * RFC 1813 §3.3.2 SETATTR: change attributes, optionally guarded by the object's ctime.
 * A size change also truncates (or extends) the content.
 */
import type { FileHandle, SetAttrs, Timespec } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeFh, decodeSattr3, decodeTime } from '../codec/args.ts';
import { encodeWccRes, type WccRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';
import { setAttrsWithSize } from '../../files.ts';

export interface SetattrArgs {
  fh: FileHandle;
  attrs: SetAttrs;
  /** sattrguard3: apply only if the object's ctime still equals this. */
  guard: Timespec | undefined;
}

export function decodeSetattrArgs(r: XdrReader): SetattrArgs {
  return { fh: decodeFh(r), attrs: decodeSattr3(r), guard: r.optional(decodeTime) };
}

export const setattr: Nfs3Handler<SetattrArgs, WccRes> = {
  name: 'SETATTR',
  nonIdempotent: true,
  decode: decodeSetattrArgs,
  target: (a) => a.fh,
  async run(ctx, a) {
    const wcc = await setAttrsWithSize(ctx, ctx.auth, a.fh, a.attrs, a.guard);
    return { status: NFS3_OK, wcc };
  },
  encode: encodeWccRes,
};
