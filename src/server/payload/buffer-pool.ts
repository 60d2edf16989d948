/**
 * Block buffers with a cap on how many are out at once: that cap is the dirty-memory bound.
 * Released buffers are reused, so a long sequential copy does not churn 4 MiB allocations.
 */

/** Idle buffers kept for reuse; the rest go back to the allocator so an idle server shrinks. */
const SPARE_LIMIT = 4;

export class BufferPool {
  private readonly spare: Buffer[] = [];
  private out = 0;
  private waiters: Array<() => void> = [];

  constructor(
    readonly bufferSize: number,
    readonly capacity: number,
  ) {}

  get inUse(): number {
    return this.out;
  }

  /** A buffer with stale contents, or undefined at capacity. */
  tryAcquire(): Buffer | undefined {
    if (this.out >= this.capacity) return undefined;
    this.out++;
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.bufferSize);
  }

  release(buf: Buffer): void {
    this.out--;
    if (this.spare.length < SPARE_LIMIT) this.spare.push(buf);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next release. */
  released(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
