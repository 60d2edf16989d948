/**
 * RFC 7862 §15.1 ALLOCATE: makes sure a range of the file is backed. Content here is
 * stored as it is written (no reservations), so this extends the file when the range goes
 * past its end (zeros read back, as for a truncate up) and leaves the content unchanged.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { DittoError } from '../../../../../shared/errors.ts';
import { setAttrsWithSize } from '../../files.ts';
import { LIMITS } from '../../v3/constants.ts';
import { decodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';
import { fileForIo } from '../io.ts';
import type { Stateid } from '../state-types.ts';

export interface RangeArgs {
  stateid: Stateid;
  offset: number;
  length: number;
}

export const decodeRangeArgs = (r: XdrReader): RangeArgs => ({
  stateid: decodeStateid(r),
  offset: r.u64(),
  length: r.u64(),
});

export const allocate: Nfs4Op<RangeArgs, undefined> = {
  name: 'ALLOCATE',
  decode: decodeRangeArgs,
  async run(ctx, a) {
    if (a.length === 0) throw new Nfs4Error(Nfs4Status.INVAL, 'empty range');
    const end = a.offset + a.length;
    if (end > LIMITS.maxFileSize) throw new DittoError('FILE_TOO_LARGE');
    const { fh, attr } = await fileForIo(ctx, a.stateid, 'write');
    if (end > attr.size) {
      await setAttrsWithSize({ runtime: ctx.server.runtime, share: fh.share.name }, ctx.auth, fh.fh, { size: end });
    }
    return undefined;
  },
  encode: noBody,
};
