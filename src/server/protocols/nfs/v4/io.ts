/** What the NFSv4.2 data operations share (RFC 7862 §15): a regular file under a stateid, and bulk copy/zero in chunks. */
import type { FileAttr } from '../../../metadata/types.ts';
import { requireRegular } from '../files.ts';
import { Nfs4Status } from './constants.ts';
import { fileKeyOf, savedFh, shareFh, type Nfs4Context, type ShareFh } from './context.ts';
import { Nfs4Error } from './errors.ts';
import type { IoIntent, Stateid } from './state-types.ts';

/** Bytes moved per payload call, so a large COPY or DEALLOCATE holds little memory at a time. */
export const IO_CHUNK = 1024 * 1024;
const ZEROS = Buffer.alloc(IO_CHUNK);

/** The current file, regular and usable for `intent` under `sid` (ISDIR on the pseudo filesystem). */
export async function fileForIo(
  ctx: Nfs4Context,
  sid: Stateid,
  intent: IoIntent,
  fh: ShareFh = shareFh(ctx, Nfs4Status.ISDIR),
): Promise<{ fh: ShareFh; attr: FileAttr }> {
  const md = ctx.server.runtime.metadata;
  const attr = intent === 'read' ? await md.prepareRead(ctx.auth, fh.fh) : await md.prepareWrite(ctx.auth, fh.fh);
  requireRegular(attr);
  ctx.server.state.checkIo(sid, fileKeyOf(fh, attr.fileid), intent);
  return { fh, attr };
}

/**
 * COPY's and CLONE's two files (RFC 7862 §15.2, §15.13): the saved filehandle's, readable
 * under `srcStateid`, and the current one's, writable under `dstStateid`, in one share (XDEV
 * otherwise; ISDIR for the pseudo filesystem).
 */
export async function filesForCopy(ctx: Nfs4Context, srcStateid: Stateid, dstStateid: Stateid) {
  const saved = savedFh(ctx);
  if (saved.kind === 'pseudo') throw new Nfs4Error(Nfs4Status.ISDIR);
  const dstFh = shareFh(ctx, Nfs4Status.ISDIR);
  if (saved.share.id !== dstFh.share.id) throw new Nfs4Error(Nfs4Status.XDEV);
  const src = await fileForIo(ctx, srcStateid, 'read', saved);
  const dst = await fileForIo(ctx, dstStateid, 'write', dstFh);
  return { src, dst };
}

/** Writes zeros over [offset, end) of a file's content. */
export async function zeroRange(ctx: Nfs4Context, file: { fh: ShareFh; attr: FileAttr }, offset: number, end: number) {
  const { payload } = ctx.server.runtime;
  for (let at = offset; at < end; at += IO_CHUNK) {
    await payload.writeAt(file.fh.share.name, file.attr.payloadId, ZEROS.subarray(0, Math.min(IO_CHUNK, end - at)), at);
  }
}

/** Copies `count` bytes from one file's content to another's (same share), chunk by chunk. */
export async function copyRange(
  ctx: Nfs4Context,
  src: { fh: ShareFh; attr: FileAttr },
  srcOffset: number,
  dst: { fh: ShareFh; attr: FileAttr },
  dstOffset: number,
  count: number,
): Promise<void> {
  const { payload } = ctx.server.runtime;
  for (let done = 0; done < count; done += IO_CHUNK) {
    const n = Math.min(IO_CHUNK, count - done);
    const data = await payload.readAt(src.fh.share.name, src.attr.payloadId, srcOffset + done, n);
    await payload.writeAt(dst.fh.share.name, dst.attr.payloadId, data, dstOffset + done);
  }
}
