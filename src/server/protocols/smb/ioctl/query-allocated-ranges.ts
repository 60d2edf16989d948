/**
 * MS-FSCC §2.3 FSCTL_QUERY_ALLOCATED_RANGES (MS-FSA §2.1.5.10): the allocated parts of
 * [FileOffset, FileOffset + Length), clipped to the end of file, as FILE_ALLOCATED_RANGE_BUFFERs.
 * A file that is not sparse is allocated throughout; in a sparse file the all-zero 4 KiB blocks
 * are holes (content-range.ts dataRanges: the stores keep no hole map). Needs FILE_READ_DATA.
 * A negative offset or length, or a range past 2^63, is INVALID_PARAMETER; ranges that do not
 * all fit are BUFFER_OVERFLOW with those that do, none fitting BUFFER_TOO_SMALL.
 */
import { DosAttr, FileType } from '../../../metadata/types.ts';
import { dataRanges, type ByteRange } from '../../content-range.ts';
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { Access, INT64_MAX } from '../share-modes.ts';
import { LeWriter } from '../writer.ts';
import { fileScope, requireAccess, type OpenFsctl } from './fsctl.ts';

const RANGE = 16;
/** Bytes of a sparse file read per request to find its holes; the rest counts as allocated. */
const SCAN_LIMIT = 256 * 1024 * 1024;

export const queryAllocatedRanges: OpenFsctl = {
  name: 'QUERY_ALLOCATED_RANGES',
  target: 'file',
  async run({ ctx, input, maxOutput }, open) {
    const r = new LeReader(input);
    const offset = r.u64();
    const length = r.u64();
    if (!r.ok || offset > INT64_MAX || length > INT64_MAX || offset + length > INT64_MAX || open.isDirectory)
      throw new SmbStatusError(Status.INVALID_PARAMETER);
    requireAccess(open, Access.READ_DATA);
    const { auth, share } = fileScope(ctx, open);
    const { metadata, payload } = ctx.server.runtime;
    const attr = await metadata.prepareRead(auth, open.handle);
    if (attr.type !== FileType.Regular) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const size = BigInt(attr.size);
    const start = Number(offset < size ? offset : size);
    const end = Number(offset + length < size ? offset + length : size);
    let ranges: ByteRange[] = [];
    if (start < end) {
      ranges =
        attr.dosAttributes & DosAttr.SPARSE_FILE
          ? await dataRanges(payload, { share, payloadId: attr.payloadId }, start, end, SCAN_LIMIT)
          : [{ offset: start, length: end - start }];
    }
    const fit = Math.min(ranges.length, Math.floor(maxOutput / RANGE));
    if (fit === 0 && ranges.length > 0) throw new SmbStatusError(Status.BUFFER_TOO_SMALL);
    const w = new LeWriter(fit * RANGE);
    for (const range of ranges.slice(0, fit)) w.u64(range.offset).u64(range.length);
    return { status: fit < ranges.length ? Status.BUFFER_OVERFLOW : Status.SUCCESS, output: w.finish() };
  },
};
