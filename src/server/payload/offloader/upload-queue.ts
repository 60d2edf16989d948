/**
 * The offloader's upload queue: contents waiting for S3, uploaded by a number of parallel
 * workers that adapts to the goodput (hill climbing between `min` and `max`: more workers
 * while bytes per second grow, fewer when they fall). Reads that must go to S3 come first:
 * no upload starts while one waits. While writes arrive, at most `whileWriting` uploads run
 * (on a small machine they compete with the writer for the CPU); all of them once it is quiet. A failed upload is an outage: every worker pauses
 * (backoff doubling up to `maxBackoffMs`) and the content goes back in line, nothing lost.
 */
export interface UploadQueueOptions {
  upload: (hash: string) => Promise<void>;
  min?: number;
  max?: number;
  maxBackoffMs?: number;
  whileWriting?: number;
  /** Called with the error of a failed upload, and with undefined once one succeeds again. */
  onHealth?: (err: Error | undefined) => void;
}

export interface UploadQueueStats {
  pendingBlocks: number;
  pendingBytes: number;
  /** Bytes per second uploaded over the last measurement window. */
  rateBytesPerSec: number;
  parallel: number;
  uploadedBlocks: number;
  uploadedBytes: number;
  failing: boolean;
}

const WINDOW_MS = 2000;
/** Writes this recent count as "writes arriving". */
const WRITING_MS = 500;

export class UploadQueue {
  private readonly waiting = new Map<string, number>();
  /** Contents held back for a while (partial blocks: the writer may complete them first). */
  private readonly deferred = new Map<string, { size: number; timer: ReturnType<typeof setTimeout> }>();
  private readonly running = new Map<string, number>();
  private readonly min: number;
  private readonly max: number;
  private parallel: number;
  private foregroundReads = 0;
  private readsDone: (() => void)[] = [];
  private backoffMs = 0;
  private pausedUntil = 0;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  private idleWaiters: (() => void)[] = [];
  private progressWaiters: (() => void)[] = [];
  /** Who waits for one content's upload. */
  private readonly uploadWaiters = new Map<string, (() => void)[]>();
  private uploadedBlocks = 0;
  private uploadedBytes = 0;
  private windowStart = Date.now();
  private windowBytes = 0;
  private lastRate = 0;
  private previousRate = 0;
  private closed = false;
  private lastWrite = 0;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: UploadQueueOptions) {
    this.min = options.min ?? 4;
    this.max = options.max ?? 16;
    this.parallel = this.min;
  }

  /** Queues `hash`; with `deferMs`, it joins the line only after that long (or when expedited). */
  add(hash: string, size: number, deferMs = 0): void {
    if (this.isQueued(hash)) return;
    if (deferMs > 0) {
      const timer = setTimeout(() => this.expedite(hash), deferMs);
      timer.unref();
      this.deferred.set(hash, { size, timer });
      return;
    }
    this.waiting.set(hash, size);
    this.pump();
  }

  /** A deferred content joins the line now (someone waits for it). */
  expedite(hash: string): void {
    const d = this.deferred.get(hash);
    if (d === undefined) return;
    clearTimeout(d.timer);
    this.deferred.delete(hash);
    this.waiting.set(hash, d.size);
    this.pump();
  }

  /** A write arrived: uploads hold back to `whileWriting` until writes stop for a moment. */
  noteWrite(): void {
    this.lastWrite = Date.now();
    this.quietTimer ??= setTimeout(() => this.onQuiet(), WRITING_MS);
  }

  private onQuiet(): void {
    this.quietTimer = undefined;
    const left = this.lastWrite + WRITING_MS - Date.now();
    if (left > 0) this.quietTimer = setTimeout(() => this.onQuiet(), left);
    else this.pump();
  }

  isQueued(hash: string): boolean {
    return this.waiting.has(hash) || this.running.has(hash) || this.deferred.has(hash);
  }

  get failing(): boolean {
    return this.backoffMs > 0;
  }

  /** Marks a read that must go to S3: uploads yield until it ends. */
  async foreground<T>(op: () => Promise<T>): Promise<T> {
    this.foregroundReads++;
    try {
      return await op();
    } finally {
      if (--this.foregroundReads === 0) {
        for (const resume of this.readsDone.splice(0)) resume();
        this.pump();
      }
    }
  }

  /** Resolves once `hash` is uploaded (at once if it is not in line); a deferred one goes now. */
  uploaded(hash: string): Promise<void> {
    if (!this.isQueued(hash)) return Promise.resolve();
    this.expedite(hash);
    return new Promise((resolve) => {
      const waiters = this.uploadWaiters.get(hash);
      if (waiters === undefined) this.uploadWaiters.set(hash, [resolve]);
      else waiters.push(resolve);
    });
  }

  /** Every deferred content joins the line now. */
  expediteAll(): void {
    for (const hash of [...this.deferred.keys()]) this.expedite(hash);
  }

  /** Resolves once nothing waits or runs (deferred contents join the line first). */
  drained(): Promise<void> {
    this.expediteAll();
    if (this.waiting.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves at the next finished upload (or failure), or after `ms`. */
  progress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.progressWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  stats(): UploadQueueStats {
    let pendingBytes = 0;
    for (const size of this.waiting.values()) pendingBytes += size;
    for (const { size } of this.deferred.values()) pendingBytes += size;
    for (const size of this.running.values()) pendingBytes += size;
    this.roll();
    return {
      pendingBlocks: this.waiting.size + this.running.size + this.deferred.size,
      pendingBytes,
      rateBytesPerSec: this.lastRate,
      parallel: this.parallel,
      uploadedBlocks: this.uploadedBlocks,
      uploadedBytes: this.uploadedBytes,
      failing: this.failing,
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.quietTimer);
    for (const { timer } of this.deferred.values()) clearTimeout(timer);
    for (const resume of this.readsDone.splice(0)) resume();
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    if (now < this.pausedUntil) {
      this.wakeTimer ??= setTimeout(() => {
        this.wakeTimer = undefined;
        this.pump();
      }, this.pausedUntil - now);
      return;
    }
    // While failing, one probe at a time.
    const writing = now - this.lastWrite < WRITING_MS;
    const slots = this.failing ? 1 : writing ? Math.min(this.parallel, this.options.whileWriting ?? 2) : this.parallel;
    while (this.running.size < slots && this.waiting.size > 0 && this.foregroundReads === 0) {
      const [hash, size] = this.waiting.entries().next().value as [string, number];
      this.waiting.delete(hash);
      this.running.set(hash, size);
      void this.runOne(hash, size);
    }
  }

  private async runOne(hash: string, size: number): Promise<void> {
    let failed: Error | undefined;
    try {
      await this.options.upload(hash);
    } catch (err) {
      failed = err instanceof Error ? err : new Error(String(err));
    }
    this.running.delete(hash);
    if (this.closed) return;
    if (failed === undefined) {
      this.uploadedBlocks++;
      this.uploadedBytes += size;
      this.windowBytes += size;
      this.roll();
      for (const done of this.uploadWaiters.get(hash) ?? []) done();
      this.uploadWaiters.delete(hash);
      if (this.backoffMs > 0) {
        this.backoffMs = 0;
        this.pausedUntil = 0;
        this.options.onHealth?.(undefined);
      }
    } else {
      this.waiting.set(hash, size);
      this.backoffMs = Math.min(this.options.maxBackoffMs ?? 15_000, Math.max(500, this.backoffMs * 2));
      this.pausedUntil = Date.now() + this.backoffMs;
      this.options.onHealth?.(failed);
    }
    for (const wake of this.progressWaiters.splice(0)) wake();
    if (this.waiting.size === 0 && this.running.size === 0) for (const done of this.idleWaiters.splice(0)) done();
    this.pump();
  }

  /** Closes a measurement window and adapts the parallelism to the goodput it saw. */
  private roll(): void {
    const elapsed = Date.now() - this.windowStart;
    if (elapsed < WINDOW_MS) return;
    const rate = (this.windowBytes * 1000) / elapsed;
    this.windowStart = Date.now();
    this.windowBytes = 0;
    this.lastRate = rate;
    if (this.running.size + this.waiting.size >= this.parallel && rate > 0) {
      if (rate >= this.previousRate * 1.05) this.parallel = Math.min(this.max, this.parallel + 2);
      else if (rate < this.previousRate * 0.9) this.parallel = Math.max(this.min, this.parallel - 1);
    }
    this.previousRate = rate;
  }
}
