/**
 * MS-FSCC §2.3 FSCTL_SET_ZERO_DATA (MS-FSA §2.1.5.10): [FileOffset, BeyondFinalZero)
 * reads back as zeros; the part past the end of file is ignored, the size never changes.
 * FileOffset past BeyondFinalZero is INVALID_PARAMETER. Needs FILE_WRITE_DATA; a byte-range
 * lock of another open over the range is FILE_LOCK_CONFLICT. The stores keep no hole map, so
 * the range is written with zeros (which QUERY_ALLOCATED_RANGES then reports as a hole of a
 * sparse file). Like WRITE, made durable by FLUSH or CLOSE.
 */
import { fileKey } from '../../../metadata/locks/lock-manager.ts';
import { FileType } from '../../../metadata/types.ts';
import { zeroRange } from '../../content-range.ts';
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { lockOwner } from '../handlers/lock.ts';
import { LeReader } from '../reader.ts';
import { Access, INT64_MAX } from '../share-modes.ts';
import { noteWrite } from '../write-time.ts';
import { EMPTY, fileScope, requireWrite, type OpenFsctl } from './fsctl.ts';

export const setZeroData: OpenFsctl = {
  name: 'SET_ZERO_DATA',
  target: 'file',
  async run({ ctx, input }, open) {
    const r = new LeReader(input);
    const from = r.u64();
    const beyond = r.u64();
    if (!r.ok || from > INT64_MAX || beyond > INT64_MAX || from > beyond || open.isDirectory)
      throw new SmbStatusError(Status.INVALID_PARAMETER);
    requireWrite(ctx, open, Access.WRITE_DATA);
    const { auth, share } = fileScope(ctx, open);
    const { metadata, payload } = ctx.server.runtime;
    const before = await metadata.prepareWrite(auth, open.handle);
    if (before.type !== FileType.Regular) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const start = Number(from);
    const end = Number(beyond < BigInt(before.size) ? beyond : BigInt(before.size));
    if (start >= end) return { status: Status.SUCCESS, output: EMPTY };
    if (!metadata.locks.allows(fileKey(share, before.fileid), lockOwner(open), from, BigInt(end), true))
      throw new SmbStatusError(Status.FILE_LOCK_CONFLICT);
    noteWrite(open, before);
    await zeroRange(payload, { share, payloadId: before.payloadId }, start, end);
    await metadata.commitWrite(auth, open.handle, end, false);
    open.written = true;
    ctx.bytesWritten = end - start;
    return { status: Status.SUCCESS, output: EMPTY };
  },
};
