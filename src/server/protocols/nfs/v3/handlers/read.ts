/**
 * RFC 1813 §3.3.6 READ: bytes from a regular file, clipped to its size (eof set when the
 * reply reaches it) and to rtmax. The data goes to the socket as its own chunk; large reads
 * land in pooled buffers that return once the reply is written, so a stream of 1 MiB READs
 * allocates nothing.
 */
import type { FileHandle } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeFh } from '../codec/args.ts';
import { encodeAttrResHead, type AttrRes } from '../codec/results.ts';
import { BufferPool } from '../../../../payload/buffer-pool.ts';
import { LIMITS, NFS3_OK } from '../constants.ts';
import { requireRegular } from '../../files.ts';
import type { Nfs3Handler } from '../handler.ts';

export interface ReadArgs {
  fh: FileHandle;
  offset: number;
  count: number;
}

export type ReadRes = AttrRes<{ eof: boolean; data: Buffer; lent?: Buffer }>;

const EMPTY = Buffer.alloc(0);
/** Reads this large use a pooled buffer; smaller ones allocate (Node pools small buffers itself). */
const POOLED_MIN = 64 * 1024;
/** Pooled buffers out at once, across connections; past that, reads allocate. */
const POOLED_MAX = 64;
const buffers = new BufferPool(LIMITS.rtmax, POOLED_MAX);

export function decodeReadArgs(r: XdrReader): ReadArgs {
  return { fh: decodeFh(r), offset: r.u64(), count: r.u32() };
}

export const read: Nfs3Handler<ReadArgs, ReadRes> = {
  name: 'READ',
  decode: decodeReadArgs,
  target: (a) => a.fh,
  async run(ctx, a) {
    const attr = await ctx.runtime.metadata.prepareRead(ctx.auth, a.fh);
    requireRegular(attr);
    const n = a.offset >= attr.size ? 0 : Math.min(a.count, LIMITS.rtmax, attr.size - a.offset);
    if (n === 0) return { status: NFS3_OK, attr, ok: { eof: a.offset >= attr.size, data: EMPTY } };
    const lent = n >= POOLED_MIN ? buffers.tryAcquire() : undefined;
    let data: Buffer;
    try {
      data = await ctx.runtime.payload.readAt(ctx.share, attr.payloadId, a.offset, n, lent);
    } catch (err) {
      if (lent !== undefined) buffers.release(lent);
      throw err;
    }
    ctx.bytesRead = data.length;
    return { status: NFS3_OK, attr, ok: { eof: a.offset + data.length >= attr.size, data, lent } };
  },
  sent(res) {
    if (res.ok?.lent !== undefined) buffers.release(res.ok.lent);
  },
  encode(w, res, fsid) {
    const ok = encodeAttrResHead(w, res, fsid);
    if (!ok) return undefined;
    // count, eof, then opaque data<>: its length here, the bytes as the bulk chunk.
    w.u32(ok.data.length).bool(ok.eof).u32(ok.data.length);
    return ok.data;
  },
};
