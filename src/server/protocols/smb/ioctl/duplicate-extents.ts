/**
 * MS-FSCC §2.3 FSCTL_DUPLICATE_EXTENTS_TO_FILE: this open's file gets a range of another
 * open's (the DUPLICATE_EXTENTS_DATA's SourceFileID, in this session) by sharing blocks. Served
 * only where the share's storage can share blocks (a folder share on a reflink file system)
 * and only for a whole file onto an empty one (PayloadOps.cloneWhole, as NFSv4.2 CLONE);
 * anything else is NOT_SUPPORTED and the client copies instead (FSCTL_SRV_COPYCHUNK). The
 * file system does not claim FILE_SUPPORTS_BLOCK_REFCOUNTING, so clients rarely ask.
 */
import { FileType } from '../../../metadata/types.ts';
import { Status } from '../constants.ts';
import { SmbStatusError, type SmbContext } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { Access } from '../share-modes.ts';
import type { Open } from '../state.ts';
import { noteWrite } from '../write-time.ts';
import { EMPTY, fileScope, requireAccess, requireWrite, type OpenFsctl } from './fsctl.ts';

/** The source open: same session, any tree of it (FILE_CLOSED otherwise). */
function sourceOpen(ctx: SmbContext, persistent: bigint, volatile: bigint): Open {
  const open = ctx.conn.opens.get(volatile);
  if (!open || open.persistentId !== persistent || open.sessionId !== ctx.session?.id || open.pipe)
    throw new SmbStatusError(Status.FILE_CLOSED);
  return open;
}

export const duplicateExtentsToFile: OpenFsctl = {
  name: 'DUPLICATE_EXTENTS_TO_FILE',
  target: 'file',
  async run({ ctx, input }, dst) {
    const r = new LeReader(input);
    const persistent = r.u64();
    const volatile = r.u64();
    const srcOffset = r.u64();
    const dstOffset = r.u64();
    const count = r.u64();
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const src = sourceOpen(ctx, persistent, volatile);
    requireWrite(ctx, dst, Access.WRITE_DATA);
    requireAccess(src, Access.READ_DATA);
    if (count === 0n) return { status: Status.SUCCESS, output: EMPTY };
    const from = fileScope(ctx, src);
    const to = fileScope(ctx, dst);
    const { metadata, payload } = ctx.server.runtime;
    const source = await metadata.prepareRead(from.auth, src.handle);
    const before = await metadata.prepareWrite(to.auth, dst.handle);
    const whole = srcOffset === 0n && dstOffset === 0n && count === BigInt(source.size) && before.size === 0;
    if (
      source.type !== FileType.Regular ||
      before.type !== FileType.Regular ||
      !whole ||
      from.share !== to.share ||
      source.fileid === before.fileid ||
      !(await payload.cloneWhole(to.share, source.payloadId, before.payloadId))
    )
      throw new SmbStatusError(Status.NOT_SUPPORTED);
    noteWrite(dst, before);
    await metadata.commitWrite(to.auth, dst.handle, source.size, false);
    dst.written = true;
    return { status: Status.SUCCESS, output: EMPTY };
  },
};
