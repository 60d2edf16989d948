/**
 * RFC 1813 §3.3.21 COMMIT: make a file's earlier UNSTABLE writes durable, content and
 * size/mtime. The whole file is flushed whatever the range; the verifier is the boot verifier.
 */
import type { FileHandle, Wcc } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeFh } from '../codec/args.ts';
import { encodeWcc } from '../codec/attrs.ts';
import type { Nfs3Result } from '../codec/results.ts';
import { NFS3_OK } from '../constants.ts';
import { requireRegular } from '../../files.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface CommitArgs {
  fh: FileHandle;
  offset: number;
  count: number;
}

export interface CommitRes extends Nfs3Result {
  wcc?: Wcc;
  ok?: { verifier: Buffer };
}

export function decodeCommitArgs(r: XdrReader): CommitArgs {
  return { fh: decodeFh(r), offset: r.u64(), count: r.u32() };
}

export const commit: Nfs3Handler<CommitArgs, CommitRes> = {
  name: 'COMMIT',
  decode: decodeCommitArgs,
  target: (a) => a.fh,
  async run(ctx, a) {
    const { metadata, payload } = ctx.runtime;
    const attr = await metadata.getAttr(ctx.auth, a.fh);
    requireRegular(attr);
    // The data and the size/mtime of the UNSTABLE writes, both durable before the reply.
    const [, after] = await Promise.all([
      payload.flush(ctx.share, attr.payloadId),
      metadata.persistWrites(ctx.auth, a.fh),
    ]);
    return { status: NFS3_OK, wcc: { before: attr, after }, ok: { verifier: ctx.verifier } };
  },
  encode(w, res, fsid) {
    w.u32(res.status);
    encodeWcc(w, res.wcc, fsid);
    if (res.ok) w.opaqueFixed(res.ok.verifier);
    return undefined;
  },
};
