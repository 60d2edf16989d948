/**
 * Open block files, shared by concurrent reads and writes and kept least recently used: a
 * small READ or WRITE is then one pread/pwrite instead of open + I/O + close. Descriptors are
 * opened and closed on the event loop: an open or close of a local file takes microseconds,
 * while handing each to libuv's threadpool cost the event loop 50-100 µs on a busy 2-core
 * machine (a carve of many small files opened and closed one block file each).
 */
import { closeSync, openSync } from 'node:fs';

/** Block files kept open. */
const MAX_HANDLES = 128;

/** A shared read-write descriptor of one block file. */
export interface BlockHandle {
  file: string;
  fd: number;
  users: number;
  /** No longer handed out (evicted, or the file was replaced or removed). */
  dropped: boolean;
}

/** A descriptor nobody uses any more: a failure to close it is nobody's to hear. */
function closeHandle(h: BlockHandle): void {
  try {
    closeSync(h.fd);
  } catch {
    // The descriptor is released either way.
  }
}

export class BlockHandles {
  /** By block file, least recently used first. */
  private readonly open = new Map<string, BlockHandle>();

  /** `openCreating` opens a block file read-write, creating it (and its directories) if missing. */
  constructor(private readonly openCreating: (file: string) => number) {}

  /**
   * A shared handle of `file`, opened if needed; hand it back with `release`. Throws ENOENT
   * for a missing file unless `create`, which creates it.
   */
  acquire(file: string, create: boolean): BlockHandle {
    let h = this.open.get(file);
    if (h !== undefined) {
      // Most recently used last.
      this.open.delete(file);
      this.open.set(file, h);
    } else {
      const fd = create ? this.openCreating(file) : openSync(file, 'r+');
      h = { file, fd, users: 0, dropped: false };
      this.open.set(file, h);
      for (const old of this.open.values()) {
        if (this.open.size <= MAX_HANDLES) break;
        this.drop(old);
      }
    }
    h.users++;
    return h;
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

  /** Stops handing out `h`; it closes once its last user is done. */
  private drop(h: BlockHandle): void {
    if (this.open.get(h.file) === h) this.open.delete(h.file);
    if (h.dropped) return;
    h.dropped = true;
    if (h.users === 0) closeHandle(h);
  }
}
