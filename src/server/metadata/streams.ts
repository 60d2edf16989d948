/**
 * Named streams of files (SMB alternate data streams, MS-FSCC §2.4.44): small side contents
 * clients keep beside a file — macOS Finder info, tags and resource forks (AFP_AfpInfo,
 * AFP_Resource), Windows' Zone.Identifier. Held by the store (store.ts putStream), never as
 * files; NFS does not see them. Each change rewrites the whole stream: they are small.
 */
import { DittoError } from '../../shared/errors.ts';
import { admit, mutation } from './file-helpers.ts';
import { R, W, permits } from './permissions.ts';
import { loadFile, lockStored, type ShareRegistry } from './shares.ts';
import { foldName, type MetadataStore, type NamedStream, type StreamInfo, type TxOptions } from './store.ts';
import type { AuthContext, FileHandle, StreamOps } from './types.ts';

/**
 * The largest stream kept; a change past it is FILE_TOO_LARGE (SMB: STATUS_FILE_SYSTEM_LIMITATION,
 * stream-io.ts). Samba 4.17's streams_xattr holds a stream in one extended attribute: on ext4
 * here a stream past a block (about 4 KB) fails setxattr with ENOSPC, answered STATUS_DISK_FULL,
 * and one of 64 KiB or more (Linux's XATTR_SIZE_MAX, E2BIG) STATUS_FILE_SYSTEM_LIMITATION.
 * dfs keeps streams in its store and allows more, for resource forks.
 */
export const MAX_STREAM_SIZE = 1024 * 1024;

type StreamStore = Required<Pick<MetadataStore, 'listStreams' | 'getStream'>> & MetadataStore;

function streamStore(store: MetadataStore): StreamStore {
  if (store.listStreams === undefined || store.getStream === undefined) throw new DittoError('NOT_SUPPORTED');
  return store as StreamStore;
}

/** Whether the store of the share `h` belongs to keeps named streams. */
export function streamsSupported(reg: ShareRegistry, h: FileHandle): boolean {
  return reg.resolve(h).share.store.listStreams !== undefined;
}

/** The file's named streams, name and size, in the order created. */
export async function listStreams(reg: ShareRegistry, auth: AuthContext, h: FileHandle): Promise<StreamInfo[]> {
  const { share, fileid, generation } = admit(reg, auth, h);
  await loadFile(share.store, share, fileid, generation);
  return streamStore(share.store).listStreams(fileid);
}

/** The stream named `name` (in any case) with its content; undefined when the file has none. Needs read permission. */
export async function readStream(
  reg: ShareRegistry,
  auth: AuthContext,
  h: FileHandle,
  name: string,
): Promise<NamedStream | undefined> {
  const { share, fileid, generation, cred } = admit(reg, auth, h);
  const rec = await loadFile(share.store, share, fileid, generation);
  if (!permits(cred, rec.attr, R)) throw new DittoError('ACCESS_DENIED');
  return streamStore(share.store).getStream(fileid, name);
}

/** A change `updateStream` makes: bytes written at an offset, or a new size; `create` makes a missing stream. */
export interface StreamChange {
  create?: boolean;
  write?: { offset: number; data: Buffer };
  size?: number;
}

/** `data` after `change` (zeros fill a gap or a growth, as in a file). */
function changed(data: Buffer, change: StreamChange): Buffer {
  const { write, size } = change;
  const length = size ?? Math.max(data.length, write === undefined ? 0 : write.offset + write.data.length);
  if (length > MAX_STREAM_SIZE)
    throw new DittoError('FILE_TOO_LARGE', `a stream holds at most ${MAX_STREAM_SIZE} bytes`);
  const out = Buffer.alloc(length);
  data.copy(out, 0, 0, Math.min(data.length, length));
  write?.data.copy(out, write.offset);
  return out;
}

/**
 * Changes the stream named `name` (in any case) inside one transaction, so concurrent writes
 * at different offsets all land; its size after. NOT_FOUND when missing and not `create`.
 * Needs write permission; past MAX_STREAM_SIZE FILE_TOO_LARGE. `opts.lazy`: durable at the next
 * `persistWrites(…, 'flush')` (SMB FLUSH) instead of before it resolves.
 */
export async function updateStream(
  reg: ShareRegistry,
  auth: AuthContext,
  h: FileHandle,
  name: string,
  change: StreamChange,
  opts?: TxOptions,
): Promise<number> {
  const { share, fileid, generation, cred } = mutation(reg, auth, h);
  streamStore(share.store);
  return share.store.transaction(async (tx) => {
    const rec = await lockStored(tx, share, fileid, generation);
    if (!permits(cred, rec.attr, W)) throw new DittoError('ACCESS_DENIED');
    const old = await tx.getStream!(fileid, name);
    if (old === undefined && change.create !== true) throw new DittoError('NOT_FOUND', `no stream ${name}`);
    const data = changed(old?.data ?? Buffer.alloc(0), change);
    await tx.putStream!(fileid, old?.name ?? name, data);
    return data.length;
  }, opts);
}

/** Removes the stream; false when there was none. Needs write permission. */
export async function removeStream(
  reg: ShareRegistry,
  auth: AuthContext,
  h: FileHandle,
  name: string,
): Promise<boolean> {
  const { share, fileid, generation, cred } = mutation(reg, auth, h);
  streamStore(share.store);
  return share.store.transaction(async (tx) => {
    const rec = await lockStored(tx, share, fileid, generation);
    if (!permits(cred, rec.attr, W)) throw new DittoError('ACCESS_DENIED');
    return tx.deleteStream!(fileid, name);
  });
}

/** Removes every stream of the file (an SMB overwrite of it). Needs write permission. */
export async function removeStreams(reg: ShareRegistry, auth: AuthContext, h: FileHandle): Promise<void> {
  const { share, fileid, generation, cred } = mutation(reg, auth, h);
  const store = streamStore(share.store);
  await store.transaction(async (tx) => {
    const rec = await lockStored(tx, share, fileid, generation);
    if (!permits(cred, rec.attr, W)) throw new DittoError('ACCESS_DENIED');
    for (const s of await tx.listStreams!(fileid)) await tx.deleteStream!(fileid, s.name);
  });
}

/**
 * Renames the stream `from` to `to` (MS-FSA §2.1.5.14.11.1): an existing `to` is EXISTS
 * unless `replace`, and INVALID_ARGUMENT when it holds data (only an empty one is replaced).
 * NOT_FOUND when `from` is gone. Needs write permission.
 */
export async function renameStream(
  reg: ShareRegistry,
  auth: AuthContext,
  h: FileHandle,
  from: string,
  to: string,
  replace: boolean,
): Promise<void> {
  const { share, fileid, generation, cred } = mutation(reg, auth, h);
  const store = streamStore(share.store);
  await store.transaction(async (tx) => {
    const rec = await lockStored(tx, share, fileid, generation);
    if (!permits(cred, rec.attr, W)) throw new DittoError('ACCESS_DENIED');
    const old = await tx.getStream!(fileid, from);
    if (old === undefined) throw new DittoError('NOT_FOUND', `no stream ${from}`);
    if (foldName(from) === foldName(to)) return;
    const target = await tx.getStream!(fileid, to);
    if (target !== undefined && !replace) throw new DittoError('EXISTS', to);
    if (target !== undefined && target.data.length > 0)
      throw new DittoError('INVALID_ARGUMENT', `stream ${to} holds data`);
    if (target !== undefined) await tx.deleteStream!(fileid, to);
    await tx.deleteStream!(fileid, from);
    await tx.putStream!(fileid, to, old.data);
  });
}

/** MetadataService.streams: the functions above on the service's shares. */
export class MetadataStreams implements StreamOps {
  constructor(private readonly reg: ShareRegistry) {}

  supported(h: FileHandle): boolean {
    return streamsSupported(this.reg, h);
  }

  list(auth: AuthContext, h: FileHandle): Promise<StreamInfo[]> {
    return listStreams(this.reg, auth, h);
  }

  read(auth: AuthContext, h: FileHandle, name: string): Promise<NamedStream | undefined> {
    return readStream(this.reg, auth, h, name);
  }

  update(auth: AuthContext, h: FileHandle, name: string, change: StreamChange, opts?: TxOptions): Promise<number> {
    return updateStream(this.reg, auth, h, name, change, opts);
  }

  remove(auth: AuthContext, h: FileHandle, name: string): Promise<boolean> {
    return removeStream(this.reg, auth, h, name);
  }

  removeAll(auth: AuthContext, h: FileHandle): Promise<void> {
    return removeStreams(this.reg, auth, h);
  }

  rename(auth: AuthContext, h: FileHandle, from: string, to: string, replace: boolean): Promise<void> {
    return renameStream(this.reg, auth, h, from, to, replace);
  }
}
