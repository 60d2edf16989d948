/**
 * One RPC-over-TCP client connection: frames records, hands them to the dispatcher and
 * writes replies as they complete (out of order is fine). Many calls run concurrently, up
 * to `maxInFlight`; reading pauses while that many are running or while the socket's write
 * buffer is full. Replies are written corked until the end of the event-loop turn, so a
 * reply's header and bulk chunks, and the replies finished in that turn, leave together.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { plainAddress } from './address.ts';
import type { DispatchOutcome, RpcDispatcher } from './dispatcher.ts';
import type { RpcSession } from './program.ts';
import { adoptReadingInto } from './receive-socket.ts';
import { RecordDecoder } from './record.ts';

export interface ConnectionOptions {
  maxRecordSize: number;
  maxInFlight: number;
  logger: Logger;
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
  private readonly log: Logger;

  /**
   * Serves a socket a server accepted paused (pauseOnConnect): reads go straight into the
   * record decoder's memory where the socket can be adopted for that, else through 'data'.
   */
  static accept(accepted: Socket, dispatcher: RpcDispatcher, opts: ConnectionOptions): RpcConnection {
    const decoder = new RecordDecoder(opts.maxRecordSize);
    // Reads are reported from the event loop, never before `conn` is set.
    const adopted = adoptReadingInto(accepted, {
      buffer: () => decoder.readBuffer(),
      received: (n) => conn.onReceived(n),
    });
    const conn = new RpcConnection(adopted ?? accepted, decoder, dispatcher, opts);
    if (adopted === undefined) {
      accepted.on('data', conn.onData);
      accepted.resume();
    }
    return conn;
  }

  constructor(
    private readonly socket: Socket,
    private readonly decoder: RecordDecoder,
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

  /** Calls `listener` once the connection's socket has closed. */
  whenClosed(listener: () => void): void {
    this.socket.once('close', listener);
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.bytesIn += chunk.length;
    this.decoder.push(chunk);
    this.guarded();
  };

  private onReceived(n: number): void {
    this.bytesIn += n;
    this.decoder.received(n);
    this.guarded();
  }

  private readonly onEnd = (): void => {
    this.readEnded = true;
    this.guarded();
  };

  private readonly onDrain = (): void => {
    this.writeBlocked = false;
    this.guarded();
  };

  private readonly onError = (err: Error): void => {
    this.log.debug({ err }, 'connection error');
  };

  private readonly onClose = (): void => {
    this.closed = true;
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
    while (!this.closed && !this.draining && !this.writeBlocked && this.inFlight < this.opts.maxInFlight) {
      const record = this.decoder.next();
      if (!record) break;
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
      this.log.warn({ reason: this.decoder.error }, 'closing connection: bad record marking');
      this.destroy();
      return;
    }
    if (this.readEnded && this.inFlight === 0 && !this.closed && !this.socket.writableEnded) this.socket.end();
    this.updateFlow();
  }

  private deliver(out: DispatchOutcome): void {
    this.inFlight--;
    if (this.closed || this.socket.destroyed) {
      if (out !== 'close') out.sent?.(); // never written: what it lent is free again
      return this.settleIdle();
    }
    if (out === 'close') {
      this.log.debug('closing connection: input is not an RPC call');
      this.destroy();
      return this.settleIdle();
    }
    const { chunks, sent } = out;
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

  private updateFlow(): void {
    const pause = this.draining || this.writeBlocked || this.inFlight >= this.opts.maxInFlight;
    if (pause === this.paused || this.closed) return;
    this.paused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
  }
}
