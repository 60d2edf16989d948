/**
 * RFC 1813 §3.3.11 MKNOD: a device, socket or FIFO. Regular files, directories and links
 * have their own procedures (NFS3ERR_BADTYPE).
 */
import { FileType, type SetAttrs } from '../../../../metadata/types.ts';
import { DittoError } from '../../../../../shared/errors.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeDirOpArgs, decodeSattr3, type DirOpArgs } from '../codec/args.ts';
import { encodeCreatedRes, type CreatedRes } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface MknodArgs {
  where: DirOpArgs;
  type: FileType;
  attrs: SetAttrs;
  rdev: { major: number; minor: number };
}

/** ftype3 values run from NF3REG (1) to NF3FIFO (7). */
const FTYPE_LIMIT = 8;

export function decodeMknodArgs(r: XdrReader): MknodArgs {
  const where = decodeDirOpArgs(r);
  const type = r.enumBelow(FTYPE_LIMIT) as FileType;
  let attrs: SetAttrs = {};
  let rdev = { major: 0, minor: 0 };
  if (type === FileType.CharDevice || type === FileType.BlockDevice) {
    attrs = decodeSattr3(r);
    rdev = { major: r.u32(), minor: r.u32() };
  } else if (type === FileType.Socket || type === FileType.Fifo) {
    attrs = decodeSattr3(r);
  }
  return { where, type, attrs, rdev };
}

const SPECIAL = new Set<FileType>([FileType.CharDevice, FileType.BlockDevice, FileType.Socket, FileType.Fifo]);

export const mknod: Nfs3Handler<MknodArgs, CreatedRes> = {
  name: 'MKNOD',
  nonIdempotent: true,
  decode: decodeMknodArgs,
  target: (a) => a.where.dir,
  async run(ctx, a) {
    if (!SPECIAL.has(a.type)) throw new DittoError('BAD_TYPE');
    const e = await ctx.runtime.metadata.mknod(ctx.auth, a.where.dir, a.where.name, a.type, a.attrs, a.rdev);
    return { status: NFS3_OK, dirWcc: e.dirWcc, ok: { handle: e.handle, attr: e.attr } };
  },
  encode: encodeCreatedRes,
};
