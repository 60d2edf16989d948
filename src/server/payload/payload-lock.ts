/**
 * Per-payload ordering: reads, writes and flushes run together (blocks keep themselves
 * consistent); truncate and delete run alone, so no write lands between their dropping dirty
 * blocks and deleting stored ones. A waiting exclusive operation holds back new shared ones.
 */
export class PayloadLock {
  private holders = 0;
  /** Settles when the exclusive operation in progress (or waiting to start) is done. */
  private pending: Promise<void> | undefined;
  private onDrained: (() => void) | undefined;

  async shared<T>(op: () => Promise<T>): Promise<T> {
    while (this.pending !== undefined) await this.pending;
    this.holders++;
    try {
      return await op();
    } finally {
      if (--this.holders === 0) this.onDrained?.();
    }
  }

  async exclusive<T>(op: () => Promise<T>): Promise<T> {
    while (this.pending !== undefined) await this.pending;
    let done!: () => void;
    this.pending = new Promise((resolve) => (done = resolve));
    try {
      if (this.holders > 0) await new Promise<void>((resolve) => (this.onDrained = resolve));
      return await op();
    } finally {
      this.onDrained = undefined;
      this.pending = undefined;
      done();
    }
  }
}
