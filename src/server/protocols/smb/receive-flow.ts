/**
 * When an SMB connection reads (MS-SMB2 §2.1 direct TCP): not while MAX_QUEUED messages wait
 * or run (until half of them have finished), nor while the message being received waits for
 * memory. Partially received messages draw on one budget for all the adapter's connections, as NFS
 * records do (rpc/record-memory.ts: a message over 64 KiB reserves its declared length before
 * its body is read, else waits). A message must arrive whole within recordTimeoutMs of its
 * first byte, or the connection closes, so a stalled one cannot hold its memory for good.
 */
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../rpc/connection-limits.ts';
import { RecordMemoryGate } from '../rpc/record-memory.ts';

const MAX_QUEUED = 16;

export class SmbReceiveFlow {
  readonly gate: RecordMemoryGate;
  private queued = 0;
  private queueFull = false;
  private paused = false;
  private due: NodeJS.Timeout | undefined;

  /** `socket`: the connection's, once accepted; `onGranted`: memory came free for the waiting message. */
  constructor(
    private readonly socket: () => Socket,
    private readonly limits: ConnectionLimits,
    onGranted: () => void,
    private readonly onTimeout: () => void,
  ) {
    this.gate = new RecordMemoryGate(limits.recordMemory, () => queueMicrotask(onGranted));
  }

  /** A complete message joins the queue. */
  queue(): void {
    if (++this.queued >= MAX_QUEUED) this.queueFull = true;
  }

  /** A queued message has finished. */
  dequeue(pending: number): void {
    if (--this.queued < MAX_QUEUED / 2) this.queueFull = false;
    this.update(pending, false);
  }

  /**
   * After the decoder ran: pauses or resumes reading, and starts or stops the message clock.
   * `pending`: bytes of a message not complete yet; `completed`: a message was taken out.
   */
  update(pending: number, completed: boolean): void {
    // Not the client's delay: we are not reading, or its message waits for memory.
    const ours = this.queueFull || (this.gate.waiting && !this.gate.holding);
    if (pending === 0 || ours || completed) this.stopClock();
    if (pending > 0 && !ours && this.due === undefined) {
      this.due = setTimeout(() => {
        this.limits.timedOut('record');
        this.onTimeout();
      }, this.limits.settings.recordTimeoutMs);
      this.due.unref();
    }
    const pause = this.queueFull || this.gate.waiting;
    const socket = this.socket();
    if (pause === this.paused || socket.destroyed) return;
    this.paused = pause;
    if (pause) socket.pause();
    else socket.resume();
  }

  /** The connection closed: its memory goes back, its clock stops. */
  close(): void {
    this.stopClock();
    this.gate.close();
  }

  private stopClock(): void {
    clearTimeout(this.due);
    this.due = undefined;
  }
}
