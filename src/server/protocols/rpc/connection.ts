/**
 * One RPC-over-TCP client connection: frames records, hands them to the dispatcher and
 * writes replies as they complete (out of order is fine). Many calls run concurrently, up
 * to `maxInFlight`; reading pauses while that many are running or while the socket's write
 * buffer is full. Replies are written corked until the end of the event-loop turn, so a
 * reply's header and bulk chunks, and the replies finished in that turn, leave together.
 *
 * Limits (connection-limits.ts): a large record waits, not reading, until the shared
 * partial-record memory admits it; `expire` closes the connection when it has been idle too
 * long, or when a record it started has not arrived whole in time (and lets the spare
 * receive buffers go once it has been quiet for a moment). The record clock runs
 * only while the client owes us bytes: not while we are the ones not reading (calls in
 * flight, stopping, or a record waiting for memory it has none of yet).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { LogLimiter } from '../../logging/log-limiter.ts';
import { plainAddress } from './address.ts';
import type { ConnectionLimits, TimeoutReason } from './connection-limits.ts';
import type { DispatchOutcome, RpcDispatcher } from './dispatcher.ts';
import { LAST_FRAGMENT } from './constants.ts';
import { RECORD_MARK_BYTES } from './message.ts';
import { AwaitedReplies, CALL_HEADER_BYTES, writeNullAuthCall } from './outgoing-calls.ts';
import type { RpcSession } from './program.ts';
import { adoptReadingInto } from './receive-socket.ts';
import { RecordMemoryGate } from './record-memory.ts';
import { RecordDecoder, SPARES_IDLE_MS } from './record.ts';

export interface ConnectionOptions {
  maxRecordSize: number;
  maxInFlight: number;
  logger: Logger;
  limits: ConnectionLimits;
  /** For the lines a client can cause (bad input, limits). */
  warnings: LogLimiter;
}

/** Per-connection counters. */
export interface ConnectionStats {
  clientAddr: string;
  clientPort: number;
  shares: string[];
  bytesIn: number;
  bytesOut: number;
  ops: number;
  inFlight: number;
}

export class RpcConnection implements RpcSession {
  readonly clientAddr: string;
  readonly clientPort: number;
  readonly localAddr: string;
  readonly localPort: number;
  readonly shares = new Set<string>();
  private bytesIn = 0;
  private bytesOut = 0;
  private ops = 0;
  private inFlight = 0;
  private writeBlocked = false;
  /** Replies are being gathered for one write (holdWrites). */
  private corked = false;
  private paused = false;
  /** No new calls are started (server stopping). */
  private draining = false;
  /** The client half-closed; end our side once the last reply is out. */
  private readEnded = false;
  private closed = false;
  private idle: (() => void) | undefined;
  /** Last time (ms) bytes came in, a reply went out or the client took written bytes. */
  private lastActive = Date.now();
  /** Since when (ms) a record has been due from the client; undefined while none is. */
  private recordDueSince: number | undefined;
  /** Bytes waiting to be written at the last `expire` check. */
  private queuedAtLastCheck = 0;
  private readonly log: Logger;
  /** Xids of our calls (sendCall) whose replies have not come yet. */
  private readonly awaitedReplies = new AwaitedReplies();

  /**
   * Serves a socket a server accepted paused (pauseOnConnect): reads go straight into the
   * record decoder's memory where the socket can be adopted for that, else through 'data'.
   */
  static accept(accepted: Socket, dispatcher: RpcDispatcher, opts: ConnectionOptions): RpcConnection {
    // Granted from another connection's release: pump on our own stack.
    const gate = new RecordMemoryGate(opts.limits.recordMemory, () => queueMicrotask(() => conn.guarded()));
    const decoder = new RecordDecoder(opts.maxRecordSize, gate);
    // Reads are reported from the event loop, never before `conn` is set.
    const adopted = adoptReadingInto(accepted, {
      buffer: () => decoder.readBuffer(),
      received: (n) => conn.onReceived(n),
    });
    const conn = new RpcConnection(adopted ?? accepted, decoder, gate, dispatcher, opts);
    if (adopted === undefined) {
      accepted.on('data', conn.onData);
      accepted.resume();
    }
    return conn;
  }

  constructor(
    private readonly socket: Socket,
    private readonly decoder: RecordDecoder,
    private readonly gate: RecordMemoryGate,
    private readonly dispatcher: RpcDispatcher,
    private readonly opts: ConnectionOptions,
  ) {
    this.clientAddr = plainAddress(socket.remoteAddress ?? '');
    this.clientPort = socket.remotePort ?? 0;
    this.localAddr = plainAddress(socket.localAddress ?? '');
    this.localPort = socket.localPort ?? 0;
    this.log = opts.logger.child({ client: `${this.clientAddr}:${this.clientPort}` });
    socket.setNoDelay(true);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  stats(): ConnectionStats {
    return {
      clientAddr: this.clientAddr,
      clientPort: this.clientPort,
      shares: [...this.shares],
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      ops: this.ops,
      inFlight: this.inFlight,
    };
  }

  /** Stops starting calls; resolves once the running ones have replied (or the socket closed). */
  drain(): Promise<void> {
    this.draining = true;
    this.updateFlow();
    if (this.inFlight === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.idle = resolve));
  }

  takeReply(xid: number): boolean {
    return this.awaitedReplies.take(xid);
  }

  /**
   * Sends a call of ours to the client on its own connection (an NLM *_RES answering a *_MSG
   * call): AUTH_NULL, a fresh xid; the client's reply to it is ignored by the dispatcher.
   */
  sendCall(prog: number, vers: number, proc: number, args: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const head = Buffer.alloc(RECORD_MARK_BYTES + CALL_HEADER_BYTES);
    head.writeUInt32BE((LAST_FRAGMENT | (CALL_HEADER_BYTES + args.length)) >>> 0, 0);
    writeNullAuthCall(head, RECORD_MARK_BYTES, this.awaitedReplies.next(), prog, vers, proc);
    this.holdWrites();
    this.bytesOut += head.length + args.length;
    this.socket.write(head);
    this.socket.write(args);
  }

  /** Calls `listener` once the connection's socket has closed. */
  whenClosed(listener: () => void): void {
    this.socket.once('close', listener);
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Closes the connection if it has been idle, or owed a record, for too long (`now` in ms). */
  expire(now: number): void {
    if (this.closed) return;
    const { idleTimeoutMs, recordTimeoutMs } = this.opts.limits.settings;
    if (this.writeBlocked) {
      // Replies are leaving, slowly: the client is busy reading them, and we are not reading.
      const queued = this.socket.writableLength;
      if (queued < this.queuedAtLastCheck) {
        this.lastActive = now;
        if (this.recordDueSince !== undefined) this.recordDueSince = now;
      }
      this.queuedAtLastCheck = queued;
    }
    if (this.inFlight === 0 && now - this.lastActive >= SPARES_IDLE_MS) this.decoder.trimSpares();
    let reason: TimeoutReason | undefined;
    if (this.recordDueSince !== undefined && now - this.recordDueSince >= recordTimeoutMs) reason = 'record';
    else if (this.inFlight === 0 && this.decoder.pending === 0 && now - this.lastActive >= idleTimeoutMs)
      reason = 'idle';
    if (reason === undefined) return;
    this.opts.limits.timedOut(reason);
    if (reason === 'idle') this.log.debug('closing idle connection');
    else
      this.opts.warnings.warn(
        'record-timeout',
        this.clientAddr,
        { pending: this.decoder.pending, limitMs: recordTimeoutMs },
        'closing connection: a record did not arrive whole in time',
      );
    this.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.lastActive = Date.now();
    this.bytesIn += chunk.length;
    this.decoder.push(chunk);
    this.guarded();
  };

  private onReceived(n: number): void {
    this.lastActive = Date.now();
    this.bytesIn += n;
    this.decoder.received(n);
    this.guarded();
  }

  private readonly onEnd = (): void => {
    this.readEnded = true;
    this.guarded();
  };

  private readonly onDrain = (): void => {
    this.lastActive = Date.now();
    this.writeBlocked = false;
    this.guarded();
  };

  private readonly onError = (err: Error): void => {
    this.log.debug({ err }, 'connection error');
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.gate.close();
    this.settleIdle();
  };

  private readonly onReply = (out: DispatchOutcome): void => {
    this.guarded(out);
  };

  /** Writes a finished reply, if any, and pumps; a fault costs this connection, never the process. */
  private guarded(reply?: DispatchOutcome): void {
    try {
      if (reply !== undefined) this.deliver(reply);
      this.pump();
    } catch (err) {
      this.log.error({ err }, 'closing connection after an internal error');
      this.destroy();
    }
  }

  /** Starts every complete record it may, then adjusts reading and half-close. */
  private pump(): void {
    const waitedForMemory = this.gate.waiting;
    while (!this.closed && !this.draining && !this.writeBlocked && this.inFlight < this.opts.maxInFlight) {
      const record = this.decoder.next();
      if (!record) break;
      this.recordDueSince = undefined;
      this.inFlight++;
      this.ops++;
      const out = this.dispatcher.dispatch(record, this);
      if (!(out instanceof Promise)) {
        this.decoder.recycle(record);
        this.deliver(out);
      } else {
        // The call has run once it settles: nothing refers to the record any more.
        void out.then((reply) => {
          this.decoder.recycle(record);
          this.onReply(reply);
        });
      }
    }
    if (this.decoder.error !== undefined && !this.closed) {
      this.opts.warnings.warn(
        'record-marking',
        this.clientAddr,
        { reason: this.decoder.error },
        'closing connection: bad record marking',
      );
      this.destroy();
      return;
    }
    if (this.gate.waiting && !waitedForMemory) {
      const { used, capacity } = this.opts.limits.recordMemory;
      this.opts.warnings.warn(
        'record-memory',
        this.clientAddr,
        { heldBytes: used, limitBytes: capacity },
        'a record waits: partially received records hold all the memory allowed them',
      );
    }
    this.trackRecordDue();
    if (this.readEnded && this.inFlight === 0 && !this.closed && !this.socket.writableEnded) this.socket.end();
    this.updateFlow();
  }

  private deliver(out: DispatchOutcome): void {
    this.inFlight--;
    if (this.closed || this.socket.destroyed) {
      if (typeof out !== 'string') out.sent?.(); // never written: what it lent is free again
      return this.settleIdle();
    }
    if (out === 'ignore') return this.settleIdle();
    if (out === 'close') {
      this.opts.warnings.warn('not-rpc', this.clientAddr, {}, 'closing connection: input is not an RPC call');
      this.destroy();
      return this.settleIdle();
    }
    const { chunks, sent } = out;
    this.lastActive = Date.now();
    this.holdWrites();
    let ok = true;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as Buffer;
      this.bytesOut += chunk.length;
      // Writes finish in order: the last one's callback means the whole reply has left.
      ok = i === chunks.length - 1 && sent ? this.socket.write(chunk, () => sent()) : this.socket.write(chunk);
    }
    if (!ok) this.writeBlocked = true;
    this.settleIdle();
  }

  /**
   * Corks the socket until the event loop's check phase: replies finished in the same loop
   * turn (many, with many calls in flight) leave in one writev instead of one each.
   */
  private holdWrites(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(this.releaseWrites);
  }

  private readonly releaseWrites = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  };

  private settleIdle(): void {
    if (this.idle && (this.inFlight === 0 || this.closed)) {
      // Whoever waits for idle may close the socket next: the last replies go out first.
      this.releaseWrites();
      const resolve = this.idle;
      this.idle = undefined;
      resolve();
    }
  }

  /**
   * Starts the record clock when the client owes the rest of a record, stops it when we are
   * the ones not reading: calls in flight (complete records may be queued), stopping, or a
   * record that has not been admitted to any memory yet.
   */
  private trackRecordDue(): void {
    const ours = this.draining || this.inFlight >= this.opts.maxInFlight || (this.gate.waiting && !this.gate.holding);
    if (this.decoder.pending === 0 || ours) this.recordDueSince = undefined;
    else this.recordDueSince ??= Date.now();
  }

  private updateFlow(): void {
    const pause = this.draining || this.writeBlocked || this.gate.waiting || this.inFlight >= this.opts.maxInFlight;
    if (pause === this.paused || this.closed) return;
    this.paused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
  }
}
