/**
 * RFC 7862 §15.11 SEEK: the next data or hole at or after an offset. The payload service
 * does not report holes, so every byte before the end of file counts as data and the only
 * hole is the implicit one at the end (as on a file system without SEEK_HOLE support).
 * An offset at or past the end is NXIO.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import { decodeStateid } from '../codec.ts';
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { fileForIo } from '../io.ts';
import type { Stateid } from '../state-types.ts';

export const NFS4_CONTENT_DATA = 0;
export const NFS4_CONTENT_HOLE = 1;

export interface SeekArgs {
  stateid: Stateid;
  offset: number;
  what: number;
}

export const seek: Nfs4Op<SeekArgs, { eof: boolean; offset: number }> = {
  name: 'SEEK',
  decode: (r: XdrReader) => ({ stateid: decodeStateid(r), offset: r.u64(), what: r.enumBelow(2) }),
  async run(ctx, a) {
    const { attr } = await fileForIo(ctx, a.stateid, 'read');
    if (a.offset >= attr.size) throw new Nfs4Error(Nfs4Status.NXIO, 'at or past the end of file');
    if (a.what === NFS4_CONTENT_DATA) return { eof: false, offset: a.offset };
    return { eof: true, offset: attr.size };
  },
  encode: (w, res) => void w.bool(res.eof).u64(res.offset),
};
