/**
 * RFC 7862 §15.4 DEALLOCATE: punches a hole: the range reads back as zeros and the file
 * size does not change (a range past the end is ignored). The payload service keeps no
 * sparse map, so the range is written with zeros; UNSTABLE like WRITE, made durable by COMMIT.
 */
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';
import { zeroRange } from '../../../content-range.ts';
import { contentOf, fileForIo } from '../io.ts';
import { decodeRangeArgs, type RangeArgs } from './allocate.ts';

export const deallocate: Nfs4Op<RangeArgs, undefined> = {
  name: 'DEALLOCATE',
  decode: decodeRangeArgs,
  async run(ctx, a) {
    if (a.length === 0) throw new Nfs4Error(Nfs4Status.INVAL, 'empty range');
    const file = await fileForIo(ctx, a.stateid, 'write');
    const end = Math.min(a.offset + a.length, file.attr.size);
    if (a.offset >= end) return undefined;
    await zeroRange(ctx.server.runtime.payload, contentOf(file), a.offset, end);
    await ctx.server.runtime.metadata.commitWrite(ctx.auth, file.fh.fh, end, false);
    ctx.bytesWritten = end - a.offset;
    return undefined;
  },
  encode: noBody,
};
