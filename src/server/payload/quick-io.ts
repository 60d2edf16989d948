/**
 * Small positioned reads and writes run on the event loop while they are quick, and on
 * libuv's threadpool otherwise. A 4 KiB pread from the page cache, or a pwrite into it, takes
 * a few microseconds; handing it to the threadpool cost the event loop 50-250 µs on a busy
 * 2-core machine (the woken pool thread preempts it) and made the caller wait behind every
 * fsync queued there. When calls on the loop turn slow (page-cache misses on a slow disk,
 * waits for the file system's journal), the calls of this QuickIo go to the pool for
 * `poolMs`, so a slow disk stalls the other clients for a few calls, not on every call.
 * "Slow" is an average: one call that took long because the process was preempted (a busy
 * machine) must not send every call to the pool.
 */
import { read, readSync, write, writeSync } from 'node:fs';

export interface QuickIoOptions {
  /** Larger calls always go to the pool. */
  maxBytes: number;
  /** Calls on the loop averaging slower than this send calls to the pool for a while. */
  slowMs: number;
  /** How long calls stay on the pool after a slow one. */
  poolMs: number;
}

const DEFAULTS: QuickIoOptions = { maxBytes: 64 * 1024, slowMs: 2, poolMs: 2000 };

type Positioned = (
  fd: number,
  buf: Buffer,
  at: number,
  length: number,
  position: number,
  cb: (err: NodeJS.ErrnoException | null, n: number) => void,
) => void;
type PositionedSync = (fd: number, buf: Buffer, at: number, length: number, position: number) => number;

export class QuickIo {
  private readonly options: QuickIoOptions;
  /** performance.now() until which calls go to the pool. */
  private poolUntil = 0;
  /** Moving average of the calls on the loop (each counted as at most 4 x slowMs). */
  private averageMs = 0;
  /** Calls made on the loop and on the pool (tests and stats). */
  readonly calls = { loop: 0, pool: 0 };

  constructor(options: Partial<QuickIoOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** pread: the bytes read (0 at the end of the file). */
  read(fd: number, buf: Buffer, at: number, length: number, position: number): Promise<number> {
    return this.call(readSync, read as Positioned, fd, buf, at, length, position);
  }

  /** pwrite: the bytes written. */
  write(fd: number, buf: Buffer, at: number, length: number, position: number): Promise<number> {
    return this.call(writeSync, write as Positioned, fd, buf, at, length, position);
  }

  private call(
    onLoop: PositionedSync,
    onPool: Positioned,
    fd: number,
    buf: Buffer,
    at: number,
    length: number,
    position: number,
  ): Promise<number> {
    if (length > this.options.maxBytes || performance.now() < this.poolUntil) {
      this.calls.pool++;
      return new Promise((resolve, reject) => {
        onPool(fd, buf, at, length, position, (err, n) => (err ? reject(err) : resolve(n)));
      });
    }
    this.calls.loop++;
    const started = performance.now();
    try {
      return Promise.resolve(onLoop(fd, buf, at, length, position));
    } catch (err) {
      return Promise.reject(err as Error);
    } finally {
      const ended = performance.now();
      const { slowMs } = this.options;
      // Three calls in a row at the cap cross slowMs from an average of 0; one never does.
      this.averageMs += (Math.min(ended - started, 4 * slowMs) - this.averageMs) / 8;
      if (this.averageMs > slowMs) {
        this.poolUntil = ended + this.options.poolMs;
        this.averageMs = 0;
      }
    }
  }
}

/** Reads of block files and of folder shares' files. */
export const quickReads = new QuickIo();
/** Appends to the write log. */
export const quickLogWrites = new QuickIo();
/** Writes into block files and folder shares' files (their own average: a slow log disk is not theirs). */
export const quickWrites = new QuickIo();
