/**
 * Makes committed SQLite transactions durable off the event loop. The database runs with
 * synchronous=NORMAL, so COMMIT only writes the WAL (no fsync, microseconds instead of a
 * blocked event loop); this fdatasyncs the WAL file on the libuv threadpool instead, and a
 * group's callers hear back only after it. One sync at a time: callers arriving while one
 * runs share the next. SQLite keeps the WAL file (same inode) while the exclusive-mode
 * connection is open, and syncs it itself before each checkpoint.
 */
import { open, type FileHandle } from 'node:fs/promises';

export class WalSync {
  private fh: Promise<FileHandle> | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(readonly walPath: string) {}

  /** Resolves once everything committed before the call is on stable storage. */
  sync(): Promise<void> {
    if (this.running === undefined) return this.start();
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    return this.next;
  }

  /** Waits for the syncs under way, then closes the WAL handle. */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.next]);
    const fh = this.fh;
    this.fh = undefined;
    await fh?.then((h) => h.close()).catch(() => undefined);
  }

  private start(): Promise<void> {
    const p = this.syncNow().finally(() => {
      if (this.running === p) this.running = undefined;
    });
    this.running = p;
    return p;
  }

  private async syncNow(): Promise<void> {
    this.fh ??= open(this.walPath, 'r');
    try {
      await (await this.fh).datasync();
    } catch (err) {
      this.fh = undefined; // open again next time
      throw err;
    }
  }
}
