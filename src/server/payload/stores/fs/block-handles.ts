/**
 * Open block files, shared by concurrent reads and writes and kept least recently used: a
 * small READ or WRITE is then one pread/pwrite instead of open + I/O + close. Existing files
 * are opened and closed on the event loop: that takes microseconds, while handing each to
 * libuv's threadpool cost the event loop 50-100 µs on a busy 2-core machine. Creating a file
 * goes to the threadpool: an open(O_CREAT) waits for the file system's journal, which the
 * clients' fsyncs keep committing (a creates benchmark spent 19% of the event loop in
 * opens creating block files, ~160 µs each).
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

  /** Creations under way, by file: concurrent writers of a new block share one. */
  private readonly creating = new Map<string, Promise<BlockHandle>>();

  /** `create` creates a block file (and its directories) and opens it read-write, off the event loop. */
  constructor(private readonly create: (file: string) => Promise<number>) {}

  /** A shared handle of an existing `file` (ENOENT if missing); hand it back with `release`. */
  acquire(file: string): BlockHandle {
    const h = this.open.get(file) ?? this.opened(file, openSync(file, 'r+'));
    // Most recently used last.
    this.open.delete(file);
    this.open.set(file, h);
    h.users++;
    return h;
  }

  /** As `acquire` for a file that is probably missing: creates it, on the threadpool. */
  async acquireCreating(file: string): Promise<BlockHandle> {
    if (this.open.has(file)) return this.acquire(file);
    let pending = this.creating.get(file);
    if (pending === undefined) {
      pending = this.create(file).then((fd) => this.opened(file, fd));
      const forget = (): void => void this.creating.delete(file);
      pending.then(forget, forget);
      this.creating.set(file, pending);
    }
    const created = await pending;
    created.users++;
    return created;
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
    // One being created now belongs to the old file: its users get it, nobody after them.
    const pending = this.creating.get(file);
    if (pending !== undefined) {
      this.creating.delete(file);
      void pending.then(
        (created) => this.drop(created),
        () => undefined,
      );
    }
  }

  /** Every handle closes once its last user is done. */
  dropAll(): void {
    for (const h of [...this.open.values()]) this.drop(h);
  }

  /** Keeps `fd` as the handle of `file`, closing the least recently used past the limit. */
  private opened(file: string, fd: number): BlockHandle {
    const h: BlockHandle = { file, fd, users: 0, dropped: false };
    this.open.set(file, h);
    for (const old of this.open.values()) {
      if (this.open.size <= MAX_HANDLES) break;
      this.drop(old);
    }
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
