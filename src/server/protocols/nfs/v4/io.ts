/** What the NFSv4.2 data operations share (RFC 7862 §15): a regular file under a stateid, and where its content is. */
import type { FileAttr } from '../../../metadata/types.ts';
import type { ContentRef } from '../../content-range.ts';
import { requireRegular } from '../files.ts';
import { Nfs4Status } from './constants.ts';
import { fileKeyOf, savedFh, shareFh, type Nfs4Context, type ShareFh } from './context.ts';
import { Nfs4Error } from './errors.ts';
import type { IoIntent, Stateid } from './state-types.ts';

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

/** Where a file's content is, for the shared content operations (content-range.ts). */
export const contentOf = (file: { fh: ShareFh; attr: FileAttr }): ContentRef => ({
  share: file.fh.share.name,
  payloadId: file.attr.payloadId,
});
