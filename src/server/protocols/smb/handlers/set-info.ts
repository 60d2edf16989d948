/**
 * MS-SMB2 §3.3.5.21 SET_INFO for files (MS-FSCC §2.4): basic (times, DOS attributes),
 * rename (with and without replace), disposition (Ex), end-of-file and allocation; position and mode are accepted; a security descriptor is accepted and not
 * applied (permissions are the Unix mode). Only on a tree the user may write. On a named stream
 * open, end-of-file sizes the stream and disposition deletes the stream at its last close.
 */
import { FileType, type SetAttrs } from '../../../metadata/types.ts';
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, SmbStatusError, type SmbContext, type SmbHandler } from '../handler.ts';
import { Attr, fileAttributes } from '../info/attributes.ts';
import { FileInfoClass } from '../info/file-info.ts';
import { resolvePath } from '../paths.ts';
import { LeReader } from '../reader.ts';
import { Access } from '../share-modes.ts';
import { deleteFreed, shareModeKey, stillNamed } from './close.ts';
import { decodeRename, renameStream } from './rename-stream.ts';
import { updateOpenStream } from '../stream-io.ts';
import type { Open } from '../state.ts';
import { fromFileTime } from '../writer.ts';
import { InfoType } from './query-info.ts';
import { announce } from '../notify.ts';
import { freezeWriteTime, settleWriteTime, shownAttr, thawWriteTime, writeTimeSet } from '../write-time.ts';

/** MS-FSCC §2.4.7: 0 leaves a time as it is; -1 (freeze) and -2 (thaw) too, and change how later operations move it. */
const NTTIME_FREEZE = 0xffffffffffffffffn;
const NTTIME_THAW = 0xfffffffffffffffen;
const NO_CHANGE = [0n, NTTIME_FREEZE, NTTIME_THAW];
/** The fixed part of each class, checked before anything changes. */
const MIN_LENGTH: Partial<Record<number, number>> = {
  [FileInfoClass.BASIC]: 36,
  [FileInfoClass.RENAME]: 20,
  [FileInfoClass.DISPOSITION]: 1,
  [FileInfoClass.DISPOSITION_EX]: 4,
  [FileInfoClass.END_OF_FILE]: 8,
  [FileInfoClass.ALLOCATION]: 8,
  [FileInfoClass.POSITION]: 8,
  [FileInfoClass.MODE]: 4,
};
const DONE = { status: Status.SUCCESS, body: Buffer.from([2, 0]) };

async function setBasic(ctx: SmbContext, open: Open, data: Buffer): Promise<void> {
  const r = new LeReader(data);
  const btime = r.u64();
  const atime = r.u64();
  const mtime = r.u64();
  const ctime = r.u64();
  const attributes = r.u32();
  if (!r.ok) throw new SmbStatusError(Status.INFO_LENGTH_MISMATCH);
  // MS-FSA §2.1.5.14.2: a directory cannot be made temporary.
  if (open.isDirectory && attributes & Attr.TEMPORARY) throw new SmbStatusError(Status.INVALID_PARAMETER);
  const auth = ctx.session!.auth;
  const md = ctx.server.runtime.metadata;
  const attrs: SetAttrs = {};
  if (!NO_CHANGE.includes(btime)) attrs.btime = fromFileTime(btime);
  if (!NO_CHANGE.includes(atime)) attrs.atime = fromFileTime(atime);
  if (!NO_CHANGE.includes(mtime)) attrs.mtime = fromFileTime(mtime);
  if (!NO_CHANGE.includes(ctime)) attrs.ctime = fromFileTime(ctime);
  // MS-FSA §2.1.5.14.2: 0 leaves the attributes as they are; NORMAL alone clears them.
  if (attributes !== 0) attrs.dosAttributes = attributes;
  if (Object.keys(attrs).length > 0) await md.setAttr(auth, open.handle, attrs);
  if (open.parent) announce(md, open.parent, { action: 'modified', name: open.name, directory: open.isDirectory });
  if (attrs.mtime !== undefined) writeTimeSet(open);
  else if (mtime === NTTIME_FREEZE) freezeWriteTime(open, shownAttr(open, await md.getAttr(auth, open.handle)).mtime);
  else if (mtime === NTTIME_THAW) thawWriteTime(open);
  else settleWriteTime(open);
}

async function rename(ctx: SmbContext, open: Open, data: Buffer): Promise<void> {
  const { replace, name: newPath } = decodeRename(data);
  if (open.stream !== undefined) return renameStream(ctx, open, open.stream, { replace, name: newPath });
  // MS-FSA §2.1.5.14.11: renaming needs DELETE access on the open.
  if (!open.parent || !ctx.tree?.root || !(open.desiredAccess & Access.DELETE))
    throw new SmbStatusError(Status.ACCESS_DENIED);
  const auth = ctx.session!.auth;
  const md = ctx.server.runtime.metadata;
  // A file NFS removed while open has no name to rename (Samba on Linux: OBJECT_NAME_NOT_FOUND).
  if (!(await stillNamed(md, auth, open))) throw new SmbStatusError(Status.OBJECT_NAME_NOT_FOUND);
  const parentId = (await md.getAttr(auth, open.parent)).fileid;
  if (!ctx.server.shareModes.allowsRenameInside(shareModeKey({ share: open.share, fileid: parentId })))
    throw new SmbStatusError(Status.SHARING_VIOLATION);
  // MS-FSA §2.1.5.14.11: not a directory with an open file below it (Windows, Samba: ACCESS_DENIED).
  if (open.isDirectory && ctx.server.openPaths.openBelow(md.changeKey(open.handle)))
    throw new SmbStatusError(Status.ACCESS_DENIED);
  const target = await resolvePath(md, auth, ctx.tree.root, newPath);
  if (!target) throw new SmbStatusError(Status.ACCESS_DENIED);
  const same = target.entry?.attr.fileid === open.fileid;
  if (target.entry && !same) {
    if (!replace) throw new SmbStatusError(Status.OBJECT_NAME_COLLISION);
    if (target.entry.attr.type === FileType.Directory) throw new SmbStatusError(Status.ACCESS_DENIED);
    // MS-FSCC §2.4.42: replacing an open file (any open, for attributes only too, on any
    // connection) is ACCESS_DENIED, as Windows does. Samba 4.17 refuses only for the renaming
    // connection's opens; others' go on reading the unlinked file (as dfs's opens do when NFS
    // replaces their file: open-holds.ts).
    if (ctx.server.shareModes.isOpen(shareModeKey({ share: open.share, fileid: target.entry.attr.fileid })))
      throw new SmbStatusError(Status.ACCESS_DENIED);
  }
  // The new name is spelled as asked, also for a case-only rename or one replacing a file under
  // another spelling (as Windows and Samba; resolvePath returned the stored one).
  const newName = splitLast(newPath) ?? target.name;
  // Names are case-insensitive: checked again under the directory's lock, so that a name
  // differing only in case made since resolvePath looked is not joined by a second one.
  const names = { caseless: true, replaceCaseVariant: replace };
  const { freed } = await md.rename(auth, open.parent, open.name, target.parent, newName, names);
  await deleteFreed(ctx.server, open.share, freed);
  // The change feed moves this open's path, parent and name, as those of every other open.
  await ctx.server.openPaths.settled();
}

function splitLast(path: string): string | undefined {
  return path.split('\\').filter(Boolean).pop();
}

/** MS-FSCC §2.4.11 / §2.4.11.2 FileDispositionInformation(Ex) flags (the former's one byte is DELETE). */
const Disposition = { DELETE: 0x1, POSIX_SEMANTICS: 0x2, ON_CLOSE: 0x8, IGNORE_READONLY: 0x10 } as const;

/**
 * MS-FSA §2.1.5.14.3: DELETE makes the file delete-pending for every open of it (share-modes.ts),
 * its absence stops that; the last close deletes it. With ON_CLOSE the flag is this open's
 * delete-on-close instead (as FILE_DELETE_ON_CLOSE at CREATE): the file becomes delete-pending as
 * this open closes. Setting needs DELETE access; a read-only file is CANNOT_DELETE unless
 * IGNORE_READONLY_ATTRIBUTE is given, a directory with entries DIRECTORY_NOT_EMPTY.
 * POSIX_SEMANTICS asks that the name go as this open closes while other opens keep using the
 * file; here it is the ordinary delete-pending: the name goes at the last close. FORCE_IMAGE_SECTION_CHECK concerns
 * mapped executables, of which a server has none.
 */
async function setDisposition(ctx: SmbContext, open: Open, flags: number): Promise<void> {
  const deleting = (flags & Disposition.DELETE) !== 0;
  // Clearing it needs no DELETE access (as Samba).
  if (!open.parent || (deleting && !(open.desiredAccess & Access.DELETE)))
    throw new SmbStatusError(Status.ACCESS_DENIED);
  const md = ctx.server.runtime.metadata;
  if (deleting && !open.isDirectory && !(flags & Disposition.IGNORE_READONLY)) {
    const attr = await md.getAttr(ctx.session!.auth, open.handle);
    if (fileAttributes(attr) & Attr.READONLY) throw new SmbStatusError(Status.CANNOT_DELETE);
  }
  if (deleting && open.isDirectory) {
    const page = await md.readDir(ctx.session!.auth, open.handle, 0, undefined, 1);
    if (page.entries.length > 0) throw new SmbStatusError(Status.DIRECTORY_NOT_EMPTY);
  }
  if (flags & Disposition.ON_CLOSE) open.deleteOnClose = deleting;
  else ctx.server.shareModes.setDeletePending(shareModeKey(open), deleting);
}

async function setSize(ctx: SmbContext, open: Open, size: number): Promise<void> {
  const { metadata, payload } = ctx.server.runtime;
  if (open.stream !== undefined) {
    await updateOpenStream(metadata, ctx.session!.auth, { ...open, stream: open.stream }, { size }, { lazy: true });
    return;
  }
  if (open.isDirectory || open.share === undefined) throw new SmbStatusError(Status.INVALID_PARAMETER);
  await metadata.setAttr(ctx.session!.auth, open.handle, { size });
  await payload.truncate(open.share, open.payloadId, size);
  settleWriteTime(open);
}

export const setInfo: SmbHandler = {
  name: 'SET_INFO',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 33) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const type = r.u8();
    const cls = r.u8();
    const length = r.u32();
    const offset = r.u16();
    r.skip(2 + 4);
    const open = openOf(ctx, r.u64(), r.u64());
    const data = r.at(offset, length);
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    if (open.pipe) throw new SmbStatusError(Status.NOT_SUPPORTED);
    if (ctx.tree?.access !== 'write') throw new SmbStatusError(Status.ACCESS_DENIED);
    if (type === InfoType.SECURITY) return DONE;
    if (type !== InfoType.FILE) throw new SmbStatusError(Status.NOT_SUPPORTED);
    if (data.length < (MIN_LENGTH[cls] ?? 0)) throw new SmbStatusError(Status.INFO_LENGTH_MISMATCH);
    const d = new LeReader(data);
    switch (cls) {
      case FileInfoClass.BASIC:
        await setBasic(ctx, open, data);
        break;
      case FileInfoClass.RENAME:
        await rename(ctx, open, data);
        break;
      case FileInfoClass.DISPOSITION:
        await setDisposition(ctx, open, d.u8() !== 0 ? Disposition.DELETE : 0);
        break;
      case FileInfoClass.DISPOSITION_EX:
        await setDisposition(ctx, open, d.u32());
        break;
      case FileInfoClass.END_OF_FILE:
        await setSize(ctx, open, d.u64n());
        break;
      case FileInfoClass.POSITION:
        open.position = d.u64n();
        break;
      case FileInfoClass.ALLOCATION:
      case FileInfoClass.MODE:
        d.u64n();
        break;
      default:
        throw new SmbStatusError(Status.INVALID_INFO_CLASS);
    }
    return DONE;
  },
};
