/**
 * MS-SMB2 §3.3.5.9 CREATE: opens or creates a file or directory by path under the tree's
 * share (or a named pipe on IPC$), with the create disposition, the directory /
 * non-directory and delete-on-close options, share access (SHARING_VIOLATION against the
 * file's other opens, on any connection), and the MxAc / QFid create contexts (§2.2.13.2).
 * Lease and durable-handle requests are ignored: no lease is granted, the open is not durable.
 * A `file:stream[:$DATA]` name opens a named stream (create-stream.ts).
 */
import { FileType, type FileAttr, type FileHandle } from '../../../metadata/types.ts';
import { isDittoError } from '../../../../shared/errors.ts';
import { HEADER_SIZE, Status } from '../constants.ts';
import { SmbStatusError, type SmbContext, type SmbHandler, type SmbReply } from '../handler.ts';
import { allocationSize, endOfFile, Attr, fileAttributes, writeTimes } from '../info/attributes.ts';
import { resolvePath } from '../paths.ts';
import { splitStreamName } from '../stream-names.ts';
import { openStream } from './create-stream.ts';
import { LeReader } from '../reader.ts';
import { openPipe } from '../rpc/pipe.ts';
import { Access, mapGeneric } from '../share-modes.ts';
import type { Open } from '../state.ts';
import { LeWriter } from '../writer.ts';
import { shareModeKey } from './close.ts';
import { FILE_ALL_ACCESS, FILE_READ_ACCESS } from './tree-connect.ts';

export const Disposition = { SUPERSEDE: 0, OPEN: 1, CREATE: 2, OPEN_IF: 3, OVERWRITE: 4, OVERWRITE_IF: 5 } as const;
export const Action = { SUPERSEDED: 0, OPENED: 1, CREATED: 2, OVERWRITTEN: 3 } as const;
export const CreateOption = { DIRECTORY_FILE: 0x1, NON_DIRECTORY_FILE: 0x40, DELETE_ON_CLOSE: 0x1000 } as const;

/** Access bits that change a file or its attributes (refused on a read-only tree). */
const MODIFYING =
  Access.WRITE_DATA | Access.APPEND_DATA | Access.DELETE | Access.GENERIC_WRITE | Access.GENERIC_ALL | 0x10 | 0x100;

export interface CreateRequest {
  desiredAccess: number;
  /** FileAttributes for a new or overwritten file (a file's READONLY is a mode without write bits). */
  attributes: number;
  shareAccess: number;
  disposition: number;
  options: number;
  name: string;
  contexts: Map<string, Buffer>;
}

function decode(msg: Buffer): CreateRequest {
  const r = new LeReader(msg, HEADER_SIZE);
  if (r.u16() !== 57) throw new SmbStatusError(Status.INVALID_PARAMETER);
  r.skip(2);
  const impersonation = r.u32();
  r.skip(8 + 8);
  const desiredAccess = r.u32();
  const attributes = r.u32();
  const shareAccess = r.u32();
  const disposition = r.u32();
  const options = r.u32();
  const nameBuf = r.at(r.u16(), r.u16());
  const ctxOffset = r.u32();
  const ctxLength = r.u32();
  const ctxBuf = r.at(ctxOffset, ctxLength);
  // §3.3.5.9: a name starting with a path separator is invalid.
  if (!r.ok || nameBuf.length % 2 !== 0 || disposition > 5 || (nameBuf.length >= 2 && nameBuf.readUInt16LE(0) === 0x5c))
    throw new SmbStatusError(Status.INVALID_PARAMETER);
  // §2.2.13: validated, otherwise ignored (SecurityDelegation, 3, is the highest).
  if (impersonation > 3) throw new SmbStatusError(Status.BAD_IMPERSONATION_LEVEL);
  const contexts = new Map<string, Buffer>();
  let p = 0;
  while (ctxBuf.length > 0) {
    const c = new LeReader(ctxBuf, p);
    const next = c.u32();
    const name = c.at(p + c.u16(), c.u16());
    c.u16();
    const dataOffset = c.u16();
    const data = c.at(p + dataOffset, c.u32());
    if (!c.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    contexts.set(name.toString('latin1'), data);
    if (next === 0) break;
    if (next % 8 !== 0) throw new SmbStatusError(Status.INVALID_PARAMETER);
    p += next;
  }
  return {
    desiredAccess,
    attributes,
    shareAccess,
    disposition,
    options,
    name: nameBuf.toString('utf16le'),
    contexts,
  };
}

/** The MxAc and QFid create contexts' replies (§2.2.14.2) to those the request carried. */
export function contextReplies(req: CreateRequest, writable: boolean, attr: FileAttr, treeId: number): Buffer {
  const replies: [string, Buffer][] = [];
  if (req.contexts.has('MxAc'))
    replies.push([
      'MxAc',
      new LeWriter(8)
        .u32(0)
        .u32(writable ? FILE_ALL_ACCESS : FILE_READ_ACCESS)
        .finish(),
    ]);
  if (req.contexts.has('QFid'))
    replies.push(['QFid', new LeWriter(32).u64(attr.fileid).u64(treeId).zeros(16).finish()]);
  return encodeContexts(replies);
}

function encodeContexts(list: [string, Buffer][]): Buffer {
  const w = new LeWriter(128);
  list.forEach(([name, data], i) => {
    const start = w.length;
    w.u32(0).u16(16).u16(name.length).u16(0).u16(24).u32(data.length);
    w.bytes(Buffer.from(name, 'latin1')).align(8);
    w.bytes(data);
    if (i < list.length - 1) {
      w.align(8);
      w.setU32(start, w.length - start);
    }
  });
  return Buffer.from(w.finish());
}

export function encodeResponse(open: Open, action: number, attr: FileAttr | undefined, contexts: Buffer): Buffer {
  const w = new LeWriter(160).u16(89).u8(0).u8(0).u32(action);
  if (attr) writeTimes(w, attr).u64(allocationSize(attr)).u64(endOfFile(attr)).u32(fileAttributes(attr, open.name));
  else w.zeros(32 + 16).u32(0x80);
  w.u32(0).u64(open.persistentId).u64(open.volatileId);
  const ctxAt = w.length;
  w.u32(0).u32(contexts.length);
  if (contexts.length > 0) {
    w.align(8);
    w.setU32(ctxAt, HEADER_SIZE + w.length);
    w.bytes(contexts);
  } else w.u8(0);
  return Buffer.from(w.finish());
}

export function newOpen(
  ctx: SmbContext,
  req: CreateRequest,
  fields: Partial<Open> & Pick<Open, 'handle' | 'name' | 'path'>,
): Open {
  const id = BigInt(ctx.conn.newId());
  return {
    volatileId: id,
    persistentId: id,
    sessionId: ctx.session?.id ?? 0n,
    treeId: ctx.tree?.id ?? 0,
    share: ctx.tree?.share,
    parent: undefined,
    isDirectory: false,
    desiredAccess: req.desiredAccess,
    shareAccess: req.shareAccess,
    deleteOnClose: false,
    payloadId: '',
    fileid: 0,
    written: false,
    position: 0,
    ...fields,
  };
}

/**
 * MS-FSA §2.1.5.1.2.1 on an existing file: a read-only one opens neither for writing nor to
 * be overwritten (ACCESS_DENIED) nor delete-on-close (CANNOT_DELETE); a hidden or system one
 * is overwritten only by a request that keeps that attribute (ACCESS_DENIED).
 */
function checkExisting(
  req: CreateRequest,
  has: number,
  isDir: boolean,
  truncate: boolean,
  deleteOnClose: boolean,
): void {
  if (isDir || !(has & Attr.READONLY)) {
    if (truncate && has & (Attr.HIDDEN | Attr.SYSTEM) & ~req.attributes) throw new SmbStatusError(Status.ACCESS_DENIED);
    return;
  }
  if (deleteOnClose) throw new SmbStatusError(Status.CANNOT_DELETE);
  if (truncate || req.desiredAccess & (Access.WRITE_DATA | Access.APPEND_DATA))
    throw new SmbStatusError(Status.ACCESS_DENIED);
}

async function createOnce(ctx: SmbContext): Promise<SmbReply> {
  const req = decode(ctx.msg);
  const { tree, session } = ctx;
  if (!tree || !session) throw new SmbStatusError(Status.NETWORK_NAME_DELETED);
  if (tree.share === undefined || !tree.root) {
    const pipe = openPipe(req.name, ctx.server);
    if (!pipe) throw new SmbStatusError(Status.OBJECT_NAME_NOT_FOUND);
    const open = newOpen(ctx, req, { handle: Buffer.alloc(0), name: req.name, path: req.name, pipe });
    ctx.conn.opens.set(open.volatileId, open);
    ctx.createdFileId = { persistent: open.persistentId, volatile: open.volatileId };
    return { status: Status.SUCCESS, body: encodeResponse(open, Action.OPENED, undefined, Buffer.alloc(0)) };
  }
  const { metadata, payload } = ctx.server.runtime;
  const auth = session.auth;
  const writable = tree.access === 'write';
  if (req.desiredAccess & Access.MAXIMUM_ALLOWED) req.desiredAccess |= writable ? FILE_ALL_ACCESS : FILE_READ_ACCESS;
  req.desiredAccess = mapGeneric(req.desiredAccess);
  if (!writable && req.desiredAccess & MODIFYING) throw new SmbStatusError(Status.ACCESS_DENIED);
  const wantDir = (req.options & CreateOption.DIRECTORY_FILE) !== 0;
  const wantFile = (req.options & CreateOption.NON_DIRECTORY_FILE) !== 0;
  // MS-FSA §2.1.5.1: a directory cannot be temporary.
  if ((wantDir && wantFile) || (wantDir && req.attributes & Attr.TEMPORARY))
    throw new SmbStatusError(Status.INVALID_PARAMETER);
  const deleteOnClose = (req.options & CreateOption.DELETE_ON_CLOSE) !== 0;
  if (deleteOnClose && !(req.desiredAccess & (Access.DELETE | Access.GENERIC_ALL)))
    throw new SmbStatusError(Status.ACCESS_DENIED);

  const { path: filePath, stream, unnamedData } = splitStreamName(req.name);
  if (stream !== undefined) return openStream(ctx, req, filePath, stream);
  const resolved = await resolvePath(metadata, auth, tree.root, filePath);
  let handle: FileHandle;
  let attr: FileAttr;
  let action: number;
  let parent: FileHandle | undefined;
  let name = '';
  let path = '';
  let truncate = false;
  if (!resolved) {
    // The share root.
    if (wantFile) throw new SmbStatusError(Status.FILE_IS_A_DIRECTORY);
    if (req.disposition === Disposition.CREATE) throw new SmbStatusError(Status.OBJECT_NAME_COLLISION);
    handle = tree.root;
    attr = await metadata.getAttr(auth, handle);
    action = Action.OPENED;
  } else if (resolved.entry) {
    ({ handle, attr } = resolved.entry);
    ({ parent, name, path } = resolved);
    const isDir = attr.type === FileType.Directory;
    if (req.disposition === Disposition.CREATE) throw new SmbStatusError(Status.OBJECT_NAME_COLLISION);
    // MS-FSA §2.1.5.1.2: a file waiting for its last close to be deleted opens no more.
    if (ctx.server.shareModes.isDeletePending(shareModeKey({ share: tree.share, fileid: attr.fileid })))
      throw new SmbStatusError(Status.DELETE_PENDING);
    if (isDir && wantFile) throw new SmbStatusError(Status.FILE_IS_A_DIRECTORY);
    // A directory has no unnamed data stream to open (as NTFS; smbtorture smb2.streams.dir).
    if (isDir && unnamedData) throw new SmbStatusError(wantDir ? Status.NOT_A_DIRECTORY : Status.FILE_IS_A_DIRECTORY);
    if (!isDir && wantDir) throw new SmbStatusError(Status.NOT_A_DIRECTORY);
    truncate =
      !isDir &&
      (req.disposition === Disposition.SUPERSEDE ||
        req.disposition === Disposition.OVERWRITE ||
        req.disposition === Disposition.OVERWRITE_IF);
    if (truncate && !writable) throw new SmbStatusError(Status.ACCESS_DENIED);
    checkExisting(req, fileAttributes(attr), isDir, truncate, deleteOnClose);
    action =
      req.disposition === Disposition.SUPERSEDE ? Action.SUPERSEDED : truncate ? Action.OVERWRITTEN : Action.OPENED;
  } else {
    ({ parent, name, path } = resolved);
    if (req.disposition === Disposition.OPEN || req.disposition === Disposition.OVERWRITE)
      throw new SmbStatusError(Status.OBJECT_NAME_NOT_FOUND);
    if (!writable) throw new SmbStatusError(Status.ACCESS_DENIED);
    const readOnly = (req.attributes & Attr.READONLY) !== 0;
    if (readOnly && deleteOnClose) throw new SmbStatusError(Status.CANNOT_DELETE);
    const made = wantDir
      ? await metadata.mkdir(
          auth,
          resolved.parent,
          resolved.name,
          { mode: 0o755, dosAttributes: req.attributes },
          { caseless: true },
        )
      : await metadata.create(
          auth,
          resolved.parent,
          resolved.name,
          { mode: readOnly ? 0o444 : 0o644, dosAttributes: req.attributes | Attr.ARCHIVE },
          // Names are case-insensitive: a racing create of "a" beside "A" fails, and is retried as an open.
          { kind: 'guarded', caseless: true },
          // An SMB CREATE promises no durability (Windows and Samba do not sync it); FLUSH does.
          { lazy: true },
        );
    ({ handle, attr } = made);
    action = Action.CREATED;
  }
  const isDirectory = attr.type === FileType.Directory;
  const open = newOpen(ctx, req, {
    handle,
    parent,
    name,
    path,
    isDirectory,
    deleteOnClose,
    payloadId: attr.payloadId,
    fileid: attr.fileid,
  });
  const key = shareModeKey(open);
  if (!ctx.server.shareModes.acquire(key, open.volatileId, req.desiredAccess, req.shareAccess))
    throw new SmbStatusError(Status.SHARING_VIOLATION);
  try {
    if (truncate) {
      // MS-FSA §2.1.5.1.2.1: overwriting a file deletes its named streams (first: the new
      // attributes may make it read-only).
      if (metadata.streams.supported(handle) && (await metadata.streams.list(auth, handle)).length > 0)
        await metadata.streams.removeAll(auth, handle);
      // MS-FSA §2.1.5.1.2.1: an overwritten file takes the attributes asked for, plus ARCHIVE.
      const wcc = await metadata.setAttr(auth, handle, { size: 0, dosAttributes: req.attributes | Attr.ARCHIVE });
      if (attr.size > 0) await payload.truncate(tree.share, attr.payloadId, 0);
      attr = wcc.after ?? (await metadata.getAttr(auth, handle));
    }
  } catch (err) {
    ctx.server.shareModes.release(key, open.volatileId);
    throw err;
  }
  ctx.conn.opens.set(open.volatileId, open);
  if (!isDirectory) {
    metadata.hold(handle);
    open.held = true;
  }
  ctx.server.openPaths.add(open, resolved?.dirs.map((d) => metadata.changeKey(d)) ?? []);
  ctx.createdFileId = { persistent: open.persistentId, volatile: open.volatileId };
  return {
    status: Status.SUCCESS,
    body: encodeResponse(open, action, attr, contextReplies(req, writable, attr, tree.id)),
  };
}

export const create: SmbHandler = {
  name: 'CREATE',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    try {
      return await createOnce(ctx);
    } catch (err) {
      // Two opens racing to create one name (OPEN_IF and the like): the loser opens what the winner made.
      if (!isDittoError(err, 'EXISTS') || decode(ctx.msg).disposition === Disposition.CREATE) throw err;
      return createOnce(ctx);
    }
  },
};
