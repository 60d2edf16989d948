/**
 * Block buffers with a cap on how many are out at once: that cap is the dirty-memory bound.
 * Released buffers are reused, so a long copy does not churn 4 MiB allocations (each fresh
 * one costs a thousand page faults and an munmap); once the pool has been idle for a while,
 * the spares beyond a few go back to the allocator so an idle server shrinks.
 */

/** Spare buffers kept however long the pool is idle, by default. */
const SPARE_LIMIT = 4;
/** Idle time after which spares beyond SPARE_LIMIT are freed. */
const TRIM_AFTER_MS = 2000;

export class BufferPool {
  private readonly spare: Buffer[] = [];
  private out = 0;
  private waiters: Array<() => void> = [];
  private lastUse = 0;
  private trimTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `shared`: the buffers live in SharedArrayBuffers, so a worker thread can read them
   * without a copy (the offloader hashes whole blocks that way: content-hash.ts).
   * `keepIdle`: spares kept once the pool has been idle for a while.
   */
  constructor(
    readonly bufferSize: number,
    readonly capacity: number,
    private readonly shared = false,
    private readonly keepIdle = SPARE_LIMIT,
  ) {}

  get inUse(): number {
    return this.out;
  }

  /** A buffer with stale contents, or undefined at capacity. */
  tryAcquire(): Buffer | undefined {
    if (this.out >= this.capacity) return undefined;
    this.out++;
    this.lastUse = performance.now();
    return (
      this.spare.pop() ??
      (this.shared ? Buffer.from(new SharedArrayBuffer(this.bufferSize)) : Buffer.allocUnsafeSlow(this.bufferSize))
    );
  }

  get spares(): number {
    return this.spare.length;
  }

  release(buf: Buffer): void {
    this.out--;
    this.lastUse = performance.now();
    this.spare.push(buf);
    if (this.spare.length > this.keepIdle) this.scheduleTrim();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Frees spares beyond keepIdle once nothing was acquired or released for TRIM_AFTER_MS. */
  private scheduleTrim(): void {
    if (this.trimTimer !== undefined) return;
    const check = (): void => {
      const idle = performance.now() - this.lastUse;
      if (idle < TRIM_AFTER_MS) {
        this.trimTimer = setTimeout(check, TRIM_AFTER_MS - idle).unref();
        return;
      }
      this.trimTimer = undefined;
      this.spare.length = Math.min(this.spare.length, this.keepIdle);
    };
    this.trimTimer = setTimeout(check, TRIM_AFTER_MS).unref();
  }

  /** Resolves at the next release. */
  released(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
