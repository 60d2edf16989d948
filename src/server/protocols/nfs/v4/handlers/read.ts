/**
 * RFC 7530 §16.23 READ: bytes of a regular file under an open (or special) stateid,
 * clipped to the file's size and to maxread. As the last result of a COMPOUND the data goes
 * to the socket as its own chunk, without a copy.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { requireRegular } from '../../files.ts';
import { LIMITS } from '../../v3/constants.ts';
import { decodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { fileKeyOf, shareFh } from '../context.ts';
import type { Nfs4Op } from '../handler.ts';
import type { Stateid } from '../state-types.ts';

export interface ReadArgs {
  stateid: Stateid;
  offset: number;
  count: number;
}

const EMPTY = Buffer.alloc(0);

export const read: Nfs4Op<ReadArgs, { eof: boolean; data: Buffer }> = {
  name: 'READ',
  decode: (r: XdrReader) => ({ stateid: decodeStateid(r), offset: r.u64(), count: r.u32() }),
  async run(ctx, a) {
    const cur = shareFh(ctx, Nfs4Status.ISDIR);
    const { metadata, payload } = ctx.server.runtime;
    const attr = await metadata.prepareRead(ctx.auth, cur.fh);
    requireRegular(attr);
    ctx.server.state.checkIo(a.stateid, fileKeyOf(cur, attr.fileid), 'read');
    const n = a.offset >= attr.size ? 0 : Math.min(a.count, LIMITS.rtmax, attr.size - a.offset);
    if (n === 0) return { eof: a.offset >= attr.size, data: EMPTY };
    const data = await payload.readAt(cur.share.name, attr.payloadId, a.offset, n);
    ctx.bytesRead = data.length;
    return { eof: a.offset + data.length >= attr.size, data };
  },
  encode(w, res, last) {
    w.bool(res.eof);
    if (!last) return void w.opaque(res.data);
    w.u32(res.data.length);
    return res.data;
  },
};
