/**
 * FileRenameInformation (MS-FSCC §2.4.42) decoding, and the rename of a named stream open
 * (MS-FSA §2.1.5.14.11.1): the new name is `:stream[:$DATA]` on the same file. An existing
 * target stream is OBJECT_NAME_COLLISION unless ReplaceIfExists, and then replaced only when
 * empty and not open (INVALID_PARAMETER otherwise). `::$DATA` makes the stream the file's
 * content when that is empty. A path name would rename the file, which this very open keeps
 * open: SHARING_VIOLATION (as Windows and Samba).
 */
import { isDittoError } from '../../../../shared/errors.ts';
import { Status } from '../constants.ts';
import { SmbStatusError, type SmbContext } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { Access, ShareMode } from '../share-modes.ts';
import type { Open } from '../state.ts';
import { splitStreamName } from '../stream-names.ts';
import { streamData } from '../stream-io.ts';
import { shareModeKey } from './close.ts';

export interface RenameRequest {
  replace: boolean;
  name: string;
}

export function decodeRename(data: Buffer): RenameRequest {
  const r = new LeReader(data);
  const replace = r.u8() !== 0;
  r.skip(7 + 8);
  const nameBuf = r.bytes(r.u32());
  if (!r.ok || nameBuf.length % 2 !== 0) throw new SmbStatusError(Status.INVALID_PARAMETER);
  return { replace, name: nameBuf.toString('utf16le') };
}

/** `from`: the open's stream (`open` itself is changed: its stream's new name). */
export async function renameStream(ctx: SmbContext, open: Open, from: string, req: RenameRequest): Promise<void> {
  if (!(open.desiredAccess & Access.DELETE)) throw new SmbStatusError(Status.ACCESS_DENIED);
  if (!req.name.startsWith(':')) throw new SmbStatusError(Status.SHARING_VIOLATION);
  const { stream: to } = splitStreamName(req.name);
  const auth = ctx.session!.auth;
  const { metadata } = ctx.server.runtime;
  const { shareModes } = ctx.server;
  if (to === undefined) return becomeFileContent(ctx, open, from, req.replace);
  const target = shareModeKey({ ...open, stream: to });
  if (target !== shareModeKey(open) && shareModes.isOpen(target)) throw new SmbStatusError(Status.INVALID_PARAMETER);
  try {
    await metadata.streams.rename(auth, open.handle, from, to, req.replace);
  } catch (err) {
    if (isDittoError(err, 'EXISTS')) throw new SmbStatusError(Status.OBJECT_NAME_COLLISION);
    if (isDittoError(err, 'INVALID_ARGUMENT')) throw new SmbStatusError(Status.INVALID_PARAMETER);
    throw err;
  }
  rekey(ctx, open, to);
}

/** The open's share-mode entry follows its stream's new name (or the file's, `undefined`). */
function rekey(ctx: SmbContext, open: Open, stream: string | undefined): void {
  const { shareModes } = ctx.server;
  shareModes.release(shareModeKey(open), open.volatileId);
  const fileKey = shareModeKey({ share: open.share, fileid: open.fileid });
  open.stream = stream;
  if (stream !== undefined) {
    shareModes.acquire(shareModeKey(open), open.volatileId, open.desiredAccess, open.shareAccess);
    return;
  }
  // Now an open of the file itself: its passive entry there becomes an ordinary one where it fits.
  shareModes.release(fileKey, open.volatileId);
  if (!shareModes.acquire(fileKey, open.volatileId, open.desiredAccess, open.shareAccess))
    shareModes.acquire(fileKey, open.volatileId, 0, open.shareAccess | ShareMode.READ | ShareMode.WRITE, true);
}

/** `::$DATA` as the new name: the stream's bytes become the (empty) file's content. */
async function becomeFileContent(ctx: SmbContext, open: Open, from: string, replace: boolean): Promise<void> {
  const auth = ctx.session!.auth;
  const { metadata, payload } = ctx.server.runtime;
  const attr = await metadata.getAttr(auth, open.handle);
  if (open.share === undefined) throw new SmbStatusError(Status.INVALID_PARAMETER);
  if (attr.size > 0) throw new SmbStatusError(replace ? Status.INVALID_PARAMETER : Status.OBJECT_NAME_COLLISION);
  const data = await streamData(metadata, auth, { ...open, stream: from });
  if (data.length > 0) {
    await payload.writeAt(open.share, attr.payloadId, data, 0);
    await metadata.commitWrite(auth, open.handle, data.length);
  }
  await metadata.streams.remove(auth, open.handle, from);
  open.payloadId = attr.payloadId;
  rekey(ctx, open, undefined);
}
