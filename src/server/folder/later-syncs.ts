/**
 * Syncs owed to lazy transactions (an SMB CREATE or CLOSE: TxOptions.lazy). Nobody waits for
 * them, so they are made together: `delayMs` after the first one is owed, or at once when a
 * durable transaction (an SMB FLUSH, any NFS change) or the store's close asks for them.
 *
 * A copy of many small files over SMB then costs a few directory fsyncs a second instead of
 * one running all the time. On ext4 without a journal a directory's fsync holds the
 * directory's lock, and the lookup and creation of the next file there waited for it on the
 * event loop (most of the CPU a folder share spent per small file).
 */
export interface Owed {
  /** Directories by fileid: their paths are looked up when the sync is made (a rename may move them meanwhile). */
  dirs: Set<number>;
  files: Set<string>;
  index: boolean;
}

interface Batch extends Owed {
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class LaterSyncs {
  private batch: Batch | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Batches being synced: a durable transaction waits for them too. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly sync: (owed: Owed) => Promise<void>,
    private readonly delayMs: number,
  ) {}

  /** Owes syncs of `owed`; resolves once they are made (rejects if one failed). */
  owe(owed: Owed): Promise<void> {
    const batch = this.batch ?? this.open();
    for (const d of owed.dirs) batch.dirs.add(d);
    for (const f of owed.files) batch.files.add(f);
    batch.index ||= owed.index;
    return batch.done;
  }

  /** Makes every owed sync now; resolves once they and those under way are made. */
  flush(): Promise<void> {
    this.start();
    return this.running.size === 0 ? Promise.resolve() : Promise.all([...this.running]).then(() => undefined);
  }

  private open(): Batch {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Whoever waits hears of a failure (flush, or the transaction's own promise); nobody else has to.
    done.catch(() => undefined);
    const batch: Batch = { dirs: new Set(), files: new Set(), index: false, done, resolve, reject };
    this.batch = batch;
    this.timer = setTimeout(() => this.start(), this.delayMs);
    this.timer.unref?.();
    return batch;
  }

  private start(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    clearTimeout(this.timer);
    const made = this.sync(batch);
    this.running.add(made);
    const settled = (): void => void this.running.delete(made);
    made.then(settled, settled);
    made.then(batch.resolve, batch.reject);
  }
}
