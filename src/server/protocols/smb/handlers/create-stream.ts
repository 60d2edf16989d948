/**
 * CREATE of a named stream, `file:stream[:$DATA]` (MS-SMB2 §3.3.5.9, MS-FSA §2.1.5.1): on a
 * share whose store keeps streams (else OBJECT_NAME_INVALID, as before streams existed). A
 * missing file is created first when the disposition creates; the stream is then opened,
 * created, or truncated per the disposition. The open reads and writes the stream
 * (stream-io.ts) and keeps the file's handle for attributes, times and locks.
 *
 * Sharing (MS-FSA §2.1.5.1.2, as smbtorture smb2.streams checks it): opens of a stream are
 * checked against that stream's opens; the file's opens do not constrain them, but a stream
 * open without FILE_SHARE_DELETE keeps the file from being opened for DELETE (share-modes.ts
 * `passive`). A delete-pending file (or stream) opens no stream, and a file deleted while a
 * stream of it is open goes (with its streams) at the stream's close.
 */
import { FileType, type FileAttr, type FileHandle } from '../../../metadata/types.ts';
import { Status } from '../constants.ts';
import { SmbStatusError, type SmbContext, type SmbReply } from '../handler.ts';
import { Attr } from '../info/attributes.ts';
import { resolvePath } from '../paths.ts';
import { ShareMode } from '../share-modes.ts';
import { streamAttr } from '../stream-io.ts';
import { shareModeKey } from './close.ts';
import {
  Action,
  contextReplies,
  CreateOption,
  type CreateRequest,
  Disposition,
  encodeResponse,
  newOpen,
} from './create.ts';

/** The file the stream belongs to, created when missing and the disposition allows. */
async function fileOf(
  ctx: SmbContext,
  req: CreateRequest,
  path: string,
): Promise<{
  handle: FileHandle;
  attr: FileAttr;
  parent?: FileHandle;
  name: string;
  path: string;
  dirs: FileHandle[];
}> {
  const { metadata } = ctx.server.runtime;
  const tree = ctx.tree!;
  const auth = ctx.session!.auth;
  const resolved = await resolvePath(metadata, auth, tree.root!, path);
  if (!resolved) {
    const attr = await metadata.getAttr(auth, tree.root!);
    return { handle: tree.root!, attr, name: '', path: '', dirs: [] };
  }
  const where = { parent: resolved.parent, name: resolved.name, path: resolved.path, dirs: resolved.dirs };
  if (resolved.entry) return { ...resolved.entry, ...where };
  if (req.disposition === Disposition.OPEN || req.disposition === Disposition.OVERWRITE)
    throw new SmbStatusError(Status.OBJECT_NAME_NOT_FOUND);
  if (tree.access !== 'write') throw new SmbStatusError(Status.ACCESS_DENIED);
  const made = await metadata.create(
    auth,
    resolved.parent,
    resolved.name,
    { mode: 0o644, dosAttributes: Attr.ARCHIVE },
    { kind: 'guarded', caseless: true },
    { lazy: true },
  );
  return { handle: made.handle, attr: made.attr, ...where };
}

export async function openStream(ctx: SmbContext, req: CreateRequest, path: string, stream: string): Promise<SmbReply> {
  const { metadata } = ctx.server.runtime;
  const tree = ctx.tree!;
  const auth = ctx.session!.auth;
  if (!tree.root || !metadata.streams.supported(tree.root)) throw new SmbStatusError(Status.OBJECT_NAME_INVALID);
  // A stream is never a directory.
  if (req.options & CreateOption.DIRECTORY_FILE) throw new SmbStatusError(Status.NOT_A_DIRECTORY);
  const file = await fileOf(ctx, req, path);
  const { shareModes } = ctx.server;
  if (file.attr.type === FileType.Symlink) throw new SmbStatusError(Status.OBJECT_NAME_INVALID);
  const fileKey = shareModeKey({ share: tree.share, fileid: file.attr.fileid });
  if (shareModes.isDeletePending(fileKey)) throw new SmbStatusError(Status.DELETE_PENDING);
  const existing = await metadata.streams.read(auth, file.handle, stream);
  const truncate =
    req.disposition === Disposition.SUPERSEDE ||
    req.disposition === Disposition.OVERWRITE ||
    req.disposition === Disposition.OVERWRITE_IF;
  let action: number;
  if (existing) {
    if (req.disposition === Disposition.CREATE) throw new SmbStatusError(Status.OBJECT_NAME_COLLISION);
    action =
      req.disposition === Disposition.SUPERSEDE ? Action.SUPERSEDED : truncate ? Action.OVERWRITTEN : Action.OPENED;
  } else {
    if (req.disposition === Disposition.OPEN || req.disposition === Disposition.OVERWRITE)
      throw new SmbStatusError(Status.OBJECT_NAME_NOT_FOUND);
    action = Action.CREATED;
  }
  const changes = !existing || truncate;
  if (changes && tree.access !== 'write') throw new SmbStatusError(Status.ACCESS_DENIED);
  const open = newOpen(ctx, req, {
    handle: file.handle,
    parent: file.parent,
    name: file.name,
    path: file.path,
    stream: existing?.name ?? stream,
    deleteOnClose: (req.options & CreateOption.DELETE_ON_CLOSE) !== 0,
    fileid: file.attr.fileid,
  });
  const key = shareModeKey(open);
  if (shareModes.isDeletePending(key)) throw new SmbStatusError(Status.DELETE_PENDING);
  if (!shareModes.acquire(key, open.volatileId, req.desiredAccess, req.shareAccess))
    throw new SmbStatusError(Status.SHARING_VIOLATION);
  // On its file too, passively: without FILE_SHARE_DELETE it keeps the file from DELETE opens,
  // and the file's last close (its delete) waits for it.
  shareModes.acquire(fileKey, open.volatileId, 0, req.shareAccess | ShareMode.READ | ShareMode.WRITE, true);
  let size = existing?.data.length ?? 0;
  try {
    // Made or emptied now, so it is listed at once; durable at FLUSH (as a created file).
    if (changes)
      size = await metadata.streams.update(auth, file.handle, stream, { create: true, size: 0 }, { lazy: true });
  } catch (err) {
    shareModes.release(key, open.volatileId);
    shareModes.release(fileKey, open.volatileId);
    throw err;
  }
  ctx.conn.opens.set(open.volatileId, open);
  if (file.attr.type !== FileType.Directory) {
    metadata.hold(file.handle);
    open.held = true;
  }
  ctx.server.openPaths.add(
    open,
    file.dirs.map((d) => metadata.changeKey(d)),
  );
  ctx.createdFileId = { persistent: open.persistentId, volatile: open.volatileId };
  const attr = streamAttr(file.attr, size);
  const contexts = contextReplies(req, tree.access === 'write', attr, tree.id);
  return { status: Status.SUCCESS, body: encodeResponse(open, action, attr, contexts) };
}
