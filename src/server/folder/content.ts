/**
 * The content of a folder share's regular files: pread/pwrite on the files themselves, so
 * what clients write is the file in the folder, byte for byte, at once. A payloadId is the
 * fileid. Descriptors are cached (a bounded number, least recently used closed first): a
 * READ is one pread, on the event loop while reads there are quick (quick-io.ts), and a
 * WRITE one pwrite on the threadpool. A descriptor is opened on the path the
 * index knows and checked with fstat to be the file of that fileid; the MetadataService has
 * just resolved the handle (prepareRead / prepareWrite), and a file that goes away is
 * forgotten by the store, which closes its descriptor here.
 *
 * flush (COMMIT, FILE_SYNC) fdatasyncs the file: data and size on stable storage.
 * cloneWhole shares a file's blocks with an empty one where the filesystem can (reflink.ts).
 *
 * Descriptors close on the event loop (a close of a local file is microseconds; handing it
 * to libuv's threadpool cost ~50 µs of event-loop time on a loaded machine). Writes stay on
 * the threadpool: a write from the event loop measured slower, as a write may wait for the
 * file system's journal (the inode's times change).
 */
import { closeSync, constants, fdatasync, fstatSync, ftruncate, openSync } from 'node:fs';
import { DittoError } from '../../shared/errors.ts';
import { quickReads, quickWrites } from '../payload/quick-io.ts';
import type { DirectContent } from '../payload/types.ts';
import { fsError } from './errors.ts';
import type { NodeTable } from './nodes.ts';
import { reflinkOntoEmpty } from './reflink.ts';
import { identityOf, sameFile } from './stat.ts';

const MAX_OPEN = 128;
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

interface OpenFile {
  fileid: number;
  fd: number;
  writable: boolean;
  users: number;
  /** No longer handed out (evicted or forgotten): closed when its last user is done. */
  dropped: boolean;
  /** Held open by dfs with no name left (keep): never evicted, closed when the store forgets the file. */
  kept: boolean;
}

function call<T>(fn: (cb: (err: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** A descriptor of ours that nobody uses any more: a failure to close it is nobody's to hear. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to do: the descriptor is released either way.
  }
}

export class FolderContent implements DirectContent {
  private readonly files = new Map<number, OpenFile>();
  /** Files written or truncated since the store last looked (their mtime is the kernel's). */
  private readonly written = new Set<number>();

  constructor(
    private readonly nodes: NodeTable,
    /** Called when a file's content or size changes through here. */
    private readonly changed: (fileid: number) => void,
  ) {}

  async readAt(payloadId: string, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const f = this.acquire(payloadId, false);
    try {
      const buf = into === undefined ? Buffer.allocUnsafe(length) : into.subarray(0, length);
      let done = 0;
      while (done < length) {
        const n = await quickReads.read(f.fd, buf, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      // Past the end of the file reads as zeros.
      if (done < length) buf.fill(0, done);
      return buf;
    } catch (err) {
      throw fsError(err, `file ${payloadId}`);
    } finally {
      this.release(f);
    }
  }

  async writeAt(payloadId: string, data: Buffer, offset: number): Promise<void> {
    const f = this.acquire(payloadId, true);
    this.written.add(f.fileid);
    try {
      let done = 0;
      while (done < data.length) {
        done += await quickWrites.write(f.fd, data, done, data.length - done, offset + done);
      }
    } catch (err) {
      throw fsError(err, `file ${payloadId}`);
    } finally {
      this.changed(f.fileid);
      this.release(f);
    }
  }

  async truncate(payloadId: string, size: number): Promise<void> {
    const f = this.acquire(payloadId, true);
    this.written.add(f.fileid);
    try {
      await call<void>((cb) => ftruncate(f.fd, size, cb));
    } catch (err) {
      throw fsError(err, `file ${payloadId}`);
    } finally {
      this.changed(f.fileid);
      this.release(f);
    }
  }

  async flush(payloadId: string): Promise<void> {
    const f = this.acquire(payloadId, false);
    try {
      await call<void>((cb) => fdatasync(f.fd, cb));
    } catch (err) {
      throw fsError(err, `file ${payloadId}`);
    } finally {
      this.release(f);
    }
  }

  async cloneWhole(srcPayloadId: string, dstPayloadId: string): Promise<boolean> {
    const srcPath = this.nodes.pathOf(Number(srcPayloadId));
    const dstId = Number(dstPayloadId);
    const dstPath = this.nodes.pathOf(dstId);
    if (srcPath === undefined || dstPath === undefined) throw new DittoError('STALE_HANDLE');
    let cloned = false;
    try {
      cloned = await reflinkOntoEmpty(srcPath, dstPath);
      return cloned;
    } catch (err) {
      throw fsError(err, dstPath);
    } finally {
      if (cloned) {
        this.written.add(dstId);
        this.changed(dstId);
      }
    }
  }

  /** The store has removed the file already: only its descriptor is left to close. */
  async delete(payloadId: string): Promise<void> {
    this.forget(Number(payloadId));
  }

  /** The descriptor held open on the file, if any (a cheaper check of it than an lstat by path). */
  descriptorOf(fileid: number): number | undefined {
    return this.files.get(fileid)?.fd;
  }

  /**
   * Opens the file (by its name, still there) and keeps the descriptor until the store forgets
   * the file: its name is about to go while an open holds it (metadata/open-holds.ts), and, as
   * for any unlinked file, its data lives on in the kernel while a descriptor is open.
   */
  keep(fileid: number): void {
    const f = this.acquire(String(fileid), false);
    f.kept = true;
    this.release(f);
  }

  /** The descriptor `keep` holds on the file, if any. */
  keptDescriptor(fileid: number): number | undefined {
    const f = this.files.get(fileid);
    return f?.kept ? f.fd : undefined;
  }

  /** Takes over a read-write descriptor of a file just created (the WRITE that follows uses it). */
  adopt(fileid: number, fd: number): void {
    if (this.files.has(fileid)) {
      closeQuietly(fd);
      return;
    }
    this.files.set(fileid, { fileid, fd, writable: true, users: 0, dropped: false, kept: false });
    this.evict();
  }

  /** Whether the file was written or truncated since the last call. */
  takeWritten(fileid: number): boolean {
    return this.written.delete(fileid);
  }

  /** The file of `fileid` is gone (or replaced): close its descriptor once unused. */
  forget(fileid: number): void {
    this.written.delete(fileid);
    const f = this.files.get(fileid);
    if (f === undefined) return;
    this.files.delete(fileid);
    this.drop(f);
  }

  async close(): Promise<void> {
    for (const fileid of [...this.files.keys()]) this.forget(fileid);
  }

  private acquire(payloadId: string, write: boolean): OpenFile {
    const fileid = Number(payloadId);
    if (!Number.isSafeInteger(fileid) || fileid <= 0) throw new DittoError('STALE_HANDLE', `no file ${payloadId}`);
    const cached = this.files.get(fileid);
    if (cached !== undefined && (cached.writable || !write)) {
      // Most recently used last.
      this.files.delete(fileid);
      this.files.set(fileid, cached);
      cached.users++;
      return cached;
    }
    if (cached !== undefined) this.forget(fileid);
    const f = this.open(fileid, write);
    this.files.set(fileid, f);
    this.evict();
    return f;
  }

  /** Closes the least recently used idle descriptors past MAX_OPEN. */
  private evict(): void {
    for (const [id, old] of this.files) {
      if (this.files.size <= MAX_OPEN) break;
      if (old.users === 0 && !old.kept) this.forget(id);
    }
  }

  private open(fileid: number, write: boolean): OpenFile {
    const node = this.nodes.get(fileid);
    const path = this.nodes.pathOf(fileid);
    if (node === undefined || path === undefined) throw new DittoError('STALE_HANDLE');
    let fd: number;
    let writable = true;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW);
    } catch (err) {
      if (!DENIED.has((err as NodeJS.ErrnoException).code ?? '')) throw fsError(err, path);
      if (write) throw new DittoError('ACCESS_DENIED', `the folder's file system does not let dfs write ${path}`);
      try {
        fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch (err2) {
        throw fsError(err2, path);
      }
      writable = false;
    }
    if (!sameFile(node, identityOf(fstatSync(fd, { bigint: true })))) {
      closeQuietly(fd);
      throw new DittoError('STALE_HANDLE');
    }
    return { fileid, fd, writable, users: 1, dropped: false, kept: false };
  }

  private release(f: OpenFile): void {
    f.users--;
    if (f.dropped && f.users === 0) closeQuietly(f.fd);
  }

  private drop(f: OpenFile): void {
    f.dropped = true;
    if (f.users === 0) closeQuietly(f.fd);
  }
}
