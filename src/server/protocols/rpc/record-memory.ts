/**
 * The memory partially received records may hold, all connections together. A record
 * reserves the size its fragment header declares before any of its body is taken in; one
 * that does not fit waits, its connection not reading, until earlier records complete or
 * time out (connection-limits.ts recordTimeoutMs).
 *
 * Waiting rather than closing: the connection that does not fit is as likely a healthy
 * client's as an attacker's, and a closed connection fails the call (libnfs gives up; the
 * kernel client reconnects and retransmits). Waiters are served first come, first served
 * and new records queue behind them, so the memory stalled records free goes to clients
 * that were already waiting, not to an attacker's next connections: a healthy client waits
 * about one record timeout, then proceeds. A waiting record's own timeout starts once it
 * is admitted, so waiting cannot time it out.
 *
 * Records of at most EXEMPT_RECORD_BYTES reserve nothing: one socket read takes in that
 * much anyway, so what they hold is bounded by the connection limits, and calls other than
 * large WRITEs (GETATTR, LOOKUP, READ requests, ...) never wait.
 */
import type { RecordGate } from './record.ts';

export const EXEMPT_RECORD_BYTES = 64 * 1024;

/** The shared budget. */
export class RecordMemory {
  used = 0;
  /** Records that had to wait, since start (for metrics). */
  waits = 0;
  private readonly queue: RecordMemoryGate[] = [];

  constructor(readonly capacity: number) {}

  /**
   * Reserves `bytes` for `gate` now, or queues it (false) and calls its `granted` later. A
   * record larger than the whole budget is let in when nothing else is reserved.
   */
  reserve(gate: RecordMemoryGate, bytes: number): boolean {
    if (this.queue.length === 0 && this.fits(bytes)) {
      this.used += bytes;
      return true;
    }
    this.waits++;
    this.queue.push(gate);
    return false;
  }

  release(bytes: number): void {
    this.used -= bytes;
    while (this.queue.length > 0) {
      const next = this.queue[0] as RecordMemoryGate;
      if (!this.fits(next.wanted)) break;
      this.queue.shift();
      this.used += next.wanted;
      next.granted();
    }
  }

  /** Drops a queued gate (its connection closed). */
  cancel(gate: RecordMemoryGate): void {
    const at = this.queue.indexOf(gate);
    if (at < 0) return;
    this.queue.splice(at, 1);
    // The head may have been what held the others back.
    this.release(0);
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.capacity;
  }
}

/** One connection's admissions: the record it is receiving and the bytes that record holds. */
export class RecordMemoryGate implements RecordGate {
  /** Bytes of the budget the current record holds. */
  private held = 0;
  /** Bytes asked for and not granted yet (0: not waiting). */
  wanted = 0;

  /** `onGranted` runs once a waiting record is admitted (the connection reads again). */
  constructor(
    private readonly memory: RecordMemory,
    private readonly onGranted: () => void,
  ) {}

  /** The current record waits for memory. */
  get waiting(): boolean {
    return this.wanted > 0;
  }

  /** The current record holds memory (it was admitted, and is not complete). */
  get holding(): boolean {
    return this.held > 0;
  }

  admit(recordBytes: number): boolean {
    if (recordBytes <= EXEMPT_RECORD_BYTES) return true;
    const more = recordBytes - this.held;
    if (more <= 0) return true;
    if (this.waiting) return false;
    if (this.memory.reserve(this, more)) {
      this.held += more;
      return true;
    }
    this.wanted = more;
    return false;
  }

  settle(): void {
    if (this.held === 0) return;
    const bytes = this.held;
    this.held = 0;
    this.memory.release(bytes);
  }

  /** The connection closed: whatever it held or waited for goes back. */
  close(): void {
    if (this.waiting) {
      this.wanted = 0;
      this.memory.cancel(this);
    }
    this.settle();
  }

  /** Called by RecordMemory once `wanted` is reserved. */
  granted(): void {
    this.held += this.wanted;
    this.wanted = 0;
    this.onGranted();
  }
}
