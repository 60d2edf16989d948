/**
 * RFC 7862 §15.10 READ_PLUS: READ whose result is a list of data and hole segments. Holes
 * are not tracked (see SEEK), so the answer is one data segment — or none at the end of
 * file. As the last result the bytes go to the socket without a copy, like READ's.
 */
import type { Nfs4Op } from '../handler.ts';
import { NFS4_CONTENT_DATA } from './seek.ts';
import { read, type ReadArgs } from './read.ts';

export const readPlus: Nfs4Op<ReadArgs, { eof: boolean; offset: number; data: Buffer }> = {
  name: 'READ_PLUS',
  decode: read.decode,
  async run(ctx, a) {
    return { ...(await read.run(ctx, a)), offset: a.offset };
  },
  encode(w, res, last) {
    w.bool(res.eof);
    if (res.data.length === 0) return void w.u32(0);
    w.u32(1).u32(NFS4_CONTENT_DATA).u64(res.offset);
    if (!last) return void w.opaque(res.data);
    w.u32(res.data.length);
    return res.data;
  },
};
