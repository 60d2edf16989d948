/**
 * MS-SMB2 §3.3.5.10 CLOSE: ends an open, with the attributes after it when asked
 * (SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB). Delete-on-close removes the file at the last close of it.
 */
import { FileType, type AuthContext, type FileAttr, type MetadataOps } from '../../../metadata/types.ts';
import { fileKey } from '../../../metadata/locks/lock-manager.ts';
import { HEADER_SIZE, Status } from '../constants.ts';
import { lockOwner } from './lock.ts';
import type { SmbConnectionState } from '../connection-state.ts';
import { openOf, SmbStatusError, type SmbHandler, type SmbServerContext } from '../handler.ts';
import { allocationSize, endOfFile, fileAttributes, writeTimes } from '../info/attributes.ts';
import { LeReader } from '../reader.ts';
import { announce } from '../notify.ts';
import type { Open } from '../state.ts';
import { LeWriter } from '../writer.ts';
import { now } from '../../../metadata/time.ts';
import { foldName } from '../../../metadata/store.ts';
import { writeTimeAtClose } from '../write-time.ts';
import { openAttr } from '../stream-io.ts';

const POSTQUERY_ATTRIB = 1;

/**
 * The share-mode table's key of an open: its file, or its file's named stream. Opens of a stream
 * conflict with other opens of that stream only, not with the file's (MS-FSA §2.1.5.1.2 checks
 * share access per stream; a file's delete-pending still stops stream opens, handlers/create-stream.ts).
 */
export function shareModeKey(open: Pick<Open, 'share' | 'fileid' | 'stream'>): string {
  const file = `${open.share ?? ''}\0${open.fileid}`;
  return open.stream === undefined ? file : `${file}\0${foldName(open.stream)}`;
}

/** Stores the write time a close fixes (write-time.ts): after late writes, or a frozen one. */
async function stampWriteTime(server: SmbServerContext, open: Open, auth: AuthContext): Promise<void> {
  const stamp = writeTimeAtClose(open, now());
  if (stamp) await server.runtime.metadata.setAttr(auth, open.handle, { mtime: stamp }).catch(() => undefined);
}

/**
 * Whether the open's name still leads to its file: NFS may have removed it, or replaced it by
 * another file, while the open holds it (open-holds.ts); a change by name must not reach that one.
 */
export async function stillNamed(metadata: MetadataOps, auth: AuthContext, open: Open): Promise<boolean> {
  if (!open.parent) return false;
  const entry = await metadata.lookup(auth, open.parent, open.name).catch(() => undefined);
  return entry?.attr.fileid === open.fileid;
}

/** Deletes the content of a file a removal or the end of its last hold freed (MetadataOps.remove's `freed`). */
export async function deleteFreed(
  server: SmbServerContext,
  share: string | undefined,
  freed: FileAttr | undefined,
): Promise<void> {
  if (share === undefined || freed?.type !== FileType.Regular || !freed.payloadId) return;
  await server.runtime.payload.delete(share, freed.payloadId).catch(() => undefined);
}

/**
 * Forgets an open; at the last close of a delete-pending file (share-modes.ts: set by
 * disposition or by an open made delete-on-close), removes it (and its content). The open's
 * hold on its file ends last: a file NFS removed meanwhile goes with it (open-holds.ts).
 */
export async function closeOpen(server: SmbServerContext, st: SmbConnectionState, open: Open): Promise<void> {
  st.opens.delete(open.volatileId);
  open.watch?.waiting?.(Status.NOTIFY_CLEANUP);
  open.watch?.unsubscribe();
  if (open.share === undefined) return;
  const key = shareModeKey(open);
  const pending = open.deleteOnClose || server.shareModes.isDeletePending(key);
  const last = server.shareModes.release(key, open.volatileId, open.deleteOnClose);
  // A stream open is on its file's entry too (create-stream.ts): it may be the file's last close.
  const baseKey = open.stream === undefined ? undefined : shareModeKey({ share: open.share, fileid: open.fileid });
  const fileLast = baseKey !== undefined && server.shareModes.release(baseKey, open.volatileId);
  server.openPaths.remove(open);
  try {
    await finishClose(server, st, open, open.share, pending, last);
    const auth = st.sessions.get(open.sessionId)?.auth;
    if (fileLast && auth) await deleteAtLastClose(server, auth, open, open.share);
  } finally {
    if (last) server.shareModes.deleted(key);
    if (fileLast) server.shareModes.deleted(baseKey);
    if (open.held) await deleteFreed(server, open.share, await server.runtime.metadata.release(open.handle));
  }
}

/** The delete of a delete-pending file at its last close (by name, if the name still leads to it). */
async function deleteAtLastClose(
  server: SmbServerContext,
  auth: AuthContext,
  open: Open,
  share: string,
): Promise<void> {
  const { metadata } = server.runtime;
  if (!open.parent || !(await stillNamed(metadata, auth, open))) return;
  const isDirectory =
    open.stream === undefined
      ? open.isDirectory
      : (await metadata.getAttr(auth, open.handle)).type === FileType.Directory;
  if (isDirectory) {
    await metadata.rmdir(auth, open.parent, open.name);
    return;
  }
  const { freed } = await metadata.remove(auth, open.parent, open.name);
  await deleteFreed(server, share, freed);
}

/** Locks, write time and durability of what the open wrote; then the delete `release` asked for. */
async function finishClose(
  server: SmbServerContext,
  st: SmbConnectionState,
  open: Open,
  share: string,
  pending: boolean,
  last: boolean,
): Promise<void> {
  await server.runtime.metadata.locks.release(fileKey(share, open.fileid), lockOwner(open));
  const session = st.sessions.get(open.sessionId);
  const auth = session?.auth;
  if (!auth) return;
  const { metadata, payload } = server.runtime;
  await stampWriteTime(server, open, auth);
  // Stored lazily, not waited for: CLOSE promises no durability (MS-SMB2 §3.3.5.10; FLUSH
  // does), and every attribute read already sees the writes. Windows and Samba do not sync
  // at close; a sync per closed file here cost a copy of small files ~20% more server CPU.
  // A share other instances serve too is flushed before the reply: a client opening the file
  // through another instance must read what was written here (docs/cluster.md).
  if (open.written && payload.sharedByInstances(share)) {
    await Promise.all([payload.flush(share, open.payloadId), metadata.persistWrites(auth, open.handle, 'flush')]);
    open.written = false;
  } else if (open.written) void metadata.persistWrites(auth, open.handle, 'lazy').catch(() => undefined);
  // Content written through this open: watchers of its directory see it modified (size, write time).
  if (open.writeTime && open.parent) announce(metadata, open.parent, { action: 'modified', name: open.name });
  // A delete-pending stream goes at its last close; its file stays.
  if (open.stream !== undefined) {
    if (pending && last) await metadata.streams.remove(auth, open.handle, open.stream);
    return;
  }
  if (!pending || !open.parent) return;
  // Watchers of a directory being deleted learn it now (their requests end DELETE_PENDING).
  if (open.isDirectory) announce(server.runtime.metadata, open.handle, { action: 'delete-pending', name: '' });
  if (last) await deleteAtLastClose(server, auth, open, share);
}

export const close: SmbHandler = {
  name: 'CLOSE',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 24) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const flags = r.u16();
    r.u32();
    const persistent = r.u64();
    const volatile = r.u64();
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const open = openOf(ctx, persistent, volatile);
    let attr: FileAttr | undefined;
    if (flags & POSTQUERY_ATTRIB && open.share !== undefined && ctx.session) {
      await stampWriteTime(ctx.server, open, ctx.session.auth);
      const { metadata } = ctx.server.runtime;
      const auth = ctx.session.auth;
      // A stream open's: the stream's size (stream-io.ts).
      attr = await metadata
        .getAttr(auth, open.handle)
        .then((a) => openAttr(metadata, auth, open, a))
        .catch(() => undefined);
    }
    // The handle is gone either way; a failed delete-on-close is reported.
    await closeOpen(ctx.server, ctx.conn, open);
    const w = new LeWriter(60)
      .u16(60)
      .u16(attr ? POSTQUERY_ATTRIB : 0)
      .u32(0);
    if (attr) writeTimes(w, attr).u64(allocationSize(attr)).u64(endOfFile(attr)).u32(fileAttributes(attr, open.name));
    else w.zeros(52);
    return { status: Status.SUCCESS, body: Buffer.from(w.finish()) };
  },
};
