/**
 * RFC 1813 §3.3.8 CREATE: a regular file, UNCHECKED, GUARDED or EXCLUSIVE (createverf3;
 * a retransmitted exclusive create with the same verifier succeeds). UNCHECKED on an
 * existing file applies a requested size, truncating its content (open with O_TRUNC).
 */
import type { CreateMode, SetAttrs } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeDirOpArgs, decodeSattr3, type DirOpArgs } from '../codec/args.ts';
import { encodeCreatedRes, type CreatedRes } from '../codec/results.ts';
import { CreateHow, NFS3_OK, NFS3_VERFSIZE } from '../constants.ts';
import type { Nfs3Handler } from '../handler.ts';
import { createFile } from '../../files.ts';

export interface CreateArgs {
  where: DirOpArgs;
  mode: CreateMode;
  attrs: SetAttrs;
}

export function decodeCreateArgs(r: XdrReader): CreateArgs {
  const where = decodeDirOpArgs(r);
  const how = r.enumBelow(3);
  if (how === CreateHow.EXCLUSIVE) {
    // copied: the metadata store keeps it, and a view would pin the whole request buffer
    return { where, mode: { kind: 'exclusive', verifier: Buffer.from(r.opaqueFixed(NFS3_VERFSIZE)) }, attrs: {} };
  }
  return { where, mode: { kind: how === CreateHow.GUARDED ? 'guarded' : 'unchecked' }, attrs: decodeSattr3(r) };
}

export const create: Nfs3Handler<CreateArgs, CreatedRes> = {
  name: 'CREATE',
  nonIdempotent: true,
  decode: decodeCreateArgs,
  target: (a) => a.where.dir,
  async run(ctx, a) {
    const e = await createFile(ctx, ctx.auth, a.where.dir, a.where.name, a.attrs, a.mode);
    return { status: NFS3_OK, dirWcc: e.dirWcc, ok: { handle: e.handle, attr: e.attr } };
  },
  encode: encodeCreatedRes,
};
