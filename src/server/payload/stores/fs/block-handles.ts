/**
 * Open block files, shared by concurrent reads and writes and kept least recently used: a
 * small READ or WRITE is then one pread/pwrite instead of open + I/O + close.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { errno } from './file-io.ts';

/** Block files kept open. */
const MAX_HANDLES = 128;

/** A shared read-write handle of one block file. */
export interface BlockHandle {
  file: string;
  fh: Promise<FileHandle>;
  users: number;
  /** No longer handed out (evicted, or the file was replaced or removed). */
  dropped: boolean;
}

function closeHandle(h: BlockHandle): void {
  h.fh
    .then(
      (fh) => fh.close(),
      () => undefined,
    )
    .catch(() => undefined);
}

export class BlockHandles {
  /** By block file, least recently used first. */
  private readonly open = new Map<string, BlockHandle>();

  /** `openCreating` opens a block file read-write, creating it (and its directories) if missing. */
  constructor(private readonly openCreating: (file: string) => Promise<FileHandle>) {}

  /**
   * A shared handle of `file`, opened if needed; hand it back with `release`. Rejects with
   * ENOENT for a missing file unless `create`, which creates it.
   */
  async acquire(file: string, create: boolean): Promise<[BlockHandle, FileHandle]> {
    for (let attempt = 0; ; attempt++) {
      const handle = this.handle(file, create);
      try {
        return [handle, await handle.fh];
      } catch (err) {
        this.drop(handle);
        this.release(handle);
        // A get's failed open may have been shared: open again, creating.
        if (!create || errno(err) !== 'ENOENT' || attempt > 0) throw err;
      }
    }
  }

  /** The shared handle of `file` if one is open (hand it back with `release`), without opening one. */
  acquireIfOpen(file: string): BlockHandle | undefined {
    const h = this.open.get(file);
    if (h !== undefined) h.users++;
    return h;
  }

  release(h: BlockHandle): void {
    h.users--;
    if (h.users === 0 && h.dropped) closeHandle(h);
  }

  /** After the file was replaced or removed: later uses must open it afresh. */
  invalidate(file: string): void {
    const h = this.open.get(file);
    if (h !== undefined) this.drop(h);
  }

  /** Every handle closes once its last user is done. */
  dropAll(): void {
    for (const h of [...this.open.values()]) this.drop(h);
  }

  private handle(file: string, create: boolean): BlockHandle {
    let h = this.open.get(file);
    if (h !== undefined) {
      // Most recently used last.
      this.open.delete(file);
      this.open.set(file, h);
    } else {
      h = { file, fh: create ? this.openCreating(file) : open(file, 'r+'), users: 0, dropped: false };
      this.open.set(file, h);
      for (const old of this.open.values()) {
        if (this.open.size <= MAX_HANDLES) break;
        this.drop(old);
      }
    }
    h.users++;
    return h;
  }

  /** Stops handing out `h`; it closes once its last user is done. */
  private drop(h: BlockHandle): void {
    if (this.open.get(h.file) === h) this.open.delete(h.file);
    if (h.dropped) return;
    h.dropped = true;
    if (h.users === 0) closeHandle(h);
  }
}
