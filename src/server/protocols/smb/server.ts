/**
 * The SMB2 TCP listener (MS-SMB2 §2.1 direct TCP): frames messages, runs each connection's
 * messages through SmbConnection (READs and WRITEs side by side, the rest in order:
 * message-order.ts), writes the replies, and closes a connection on
 * a framing error or a message the protocol says ends it. Other connections are unaffected.
 * Connections count against the adapter's limits (rpc/connection-limits.ts: in all and per
 * client address), and one idle with no file open is closed after idleTimeoutMs.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { plainAddress } from '../rpc/address.ts';
import { SmbConnection, type ReceiveResult } from './connection.ts';
import { framePrefix } from './framing.ts';
import { RecordDecoder, SPARES_IDLE_MS } from '../rpc/record.ts';
import { ConnectionLimits } from '../rpc/connection-limits.ts';
import { SmbReceiveFlow } from './receive-flow.ts';
import { MessageOrder, runsAlongside } from './message-order.ts';
import { adoptReadingInto } from '../rpc/receive-socket.ts';
import type { SmbServerContext } from './handler.ts';
import { dialectName } from './constants.ts';
import { clientPrefix } from '../../metadata/locks/lock-manager.ts';
import { endRevoked } from './access-recheck.ts';
import { mountKeys } from './mount-records.ts';
import type { HoldingsTally } from '../holdings.ts';
import type { DisconnectFilter } from '../../runtime/types.ts';

export interface SmbSessionInfo {
  clientAddr: string;
  clientPort: number;
  shares: string[];
  mountKeys: string[];
  users: string[];
  dialect: string | undefined;
  signed: boolean;
  encrypted: boolean;
  bytesRead: number;
  bytesWritten: number;
}

interface Live {
  socket: Socket;
  conn: SmbConnection;
  /** The order the connection's messages run in. */
  order: MessageOrder;
  /** performance.now() of the last byte received or reply sent. */
  lastActive: number;
  /** Messages received and not answered yet. */
  running: number;
  decoder: RecordDecoder;
}

export class SmbTcpServer {
  private readonly server: Server;
  private readonly live = new Set<Live>();
  private boundPort: number;
  readonly limits: ConnectionLimits;
  private idleSweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: SmbServerContext,
    private readonly bind: string,
    port: number,
  ) {
    this.boundPort = port;
    const s = ctx.settings;
    this.limits = new ConnectionLimits({
      maxConnections: s.maxConnections,
      maxConnectionsPerClient: s.maxConnectionsPerClient,
      idleTimeoutMs: s.idleTimeoutMs,
      recordTimeoutMs: s.recordTimeoutMs,
      maxPartialRecordBytes: s.maxPartialRecordBytes,
    });
    // Paused on connect: the socket is adopted to read straight into the message decoder.
    this.server = createServer({ noDelay: true, pauseOnConnect: true }, this.onConnection);
  }

  get port(): number {
    return this.boundPort;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.boundPort, this.bind, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.ctx.logger.error({ err }, 'listener error'));
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.boundPort = addr.port;
        this.ctx.logger.info({ bind: this.bind, port: this.boundPort }, 'listening');
        const every = Math.min(this.limits.settings.idleTimeoutMs / 4, SPARES_IDLE_MS);
        this.idleSweep = setInterval(() => this.sweepIdle(), every);
        this.idleSweep.unref();
        resolve();
      });
    });
  }

  async stop(deadlineMs: number): Promise<void> {
    clearInterval(this.idleSweep);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
    await Promise.race([Promise.all([...this.live].map((l) => l.order.settled())), timeout]);
    clearTimeout(timer);
    for (const l of this.live) l.socket.destroy();
    await closed;
  }

  disconnect(filter: DisconnectFilter): number {
    let n = 0;
    for (const l of this.live) {
      if (filter.clientAddr !== undefined && l.conn.state.clientAddr !== filter.clientAddr) continue;
      if (filter.share !== undefined && !l.conn.state.shares.has(filter.share)) continue;
      if (filter.mountKey !== undefined && !mountKeys(l.conn.state).includes(filter.mountKey)) continue;
      l.socket.destroy();
      n++;
    }
    return n;
  }

  /**
   * Ends, on every connection, the sessions and tree connects the control plane no longer
   * allows (access-recheck.ts); resolves with how many once they are gone. Each connection
   * does it between its messages, as it runs a LOGOFF or TREE_DISCONNECT.
   */
  async recheckAccess(): Promise<number> {
    const counts = [...this.live].map(
      ({ conn, order }) =>
        new Promise<number>((resolve) =>
          order.run(false, async () => {
            // A failure must not stop the connection's later messages (they wait on this one).
            const ended = await endRevoked(this.ctx, conn.state).catch((err: unknown) => {
              this.ctx.logger.warn({ err, client: conn.state.clientAddr }, 'ending revoked SMB sessions failed');
              return 0;
            });
            resolve(ended);
          }),
        ),
    );
    const ended = (await Promise.all(counts)).reduce((a, b) => a + b, 0);
    if (ended > 0) this.ctx.logger.info({ ended }, 'ended SMB sessions and tree connects no longer allowed');
    return ended;
  }

  sessions(): SmbSessionInfo[] {
    return [...this.live].map(({ conn }) => {
      const st = conn.state;
      const sessions = [...st.sessions.values()].filter((s) => s.state === 'valid');
      return {
        clientAddr: st.clientAddr,
        clientPort: st.clientPort,
        shares: [...st.shares],
        mountKeys: mountKeys(st),
        users: [...new Set(sessions.map((s) => s.username))],
        dialect: st.dialect === undefined ? undefined : dialectName(st.dialect),
        signed: st.signed || sessions.some((s) => s.signingRequired),
        encrypted: st.encrypted,
        bytesRead: st.bytesRead,
        bytesWritten: st.bytesWritten,
      };
    });
  }

  /**
   * Closes the connections idle past idleTimeoutMs that hold no open and wait for nothing;
   * those quiet for SPARES_IDLE_MS let their spare receive buffers go.
   */
  private sweepIdle(): void {
    const now = performance.now();
    for (const l of this.live) {
      const st = l.conn.state;
      if (l.running === 0 && now - l.lastActive >= SPARES_IDLE_MS) l.decoder.trimSpares();
      if (l.running > 0 || st.opens.size > 0 || st.pending.size > 0) continue;
      if (now - l.lastActive < this.limits.settings.idleTimeoutMs) continue;
      this.limits.timedOut('idle');
      this.ctx.logger.debug({ client: st.clientAddr }, 'closing idle SMB connection');
      l.socket.destroy();
    }
  }

  /** Open files by client and share, and each session's locks (held under "smb:<sessionId>:"). */
  tallyHoldings(tally: HoldingsTally): void {
    for (const { conn } of this.live) {
      const st = conn.state;
      for (const open of st.opens.values()) if (open.share !== undefined) tally.open(st.clientAddr, open.share);
      for (const id of st.sessions.keys()) tally.locksOf(clientPrefix('smb', String(id)), st.clientAddr);
    }
  }

  private readonly onConnection = (accepted: Socket): void => {
    const clientAddr = plainAddress(accepted.remoteAddress ?? '');
    const refusal = this.limits.admit(clientAddr);
    if (refusal !== undefined) {
      this.ctx.logger.warn({ client: clientAddr, limit: refusal }, 'SMB connection refused: too many connections');
      accepted.destroy();
      return;
    }
    // Messages are views of the decoder's receive buffers (no copy of a 1 MiB WRITE), given
    // back once their replies are built. A message waiting for memory is let in from `pump`.
    const flow = new SmbReceiveFlow(
      () => socket,
      this.limits,
      () => pump(),
      () => end('a message did not arrive whole in time'),
    );
    const decoder = new RecordDecoder(this.ctx.settings.maxMessageSize, flow.gate, 'smb');
    const adopted = adoptReadingInto(accepted, {
      buffer: () => decoder.readBuffer(),
      received: (n) => {
        live.lastActive = performance.now();
        decoder.received(n);
        pump();
      },
    });
    const socket = adopted ?? accepted;
    const conn = new SmbConnection(this.ctx, clientAddr, socket.remotePort ?? 0);
    conn.state.localAddr = plainAddress(socket.localAddress ?? conn.state.localAddr);
    const live: Live = { socket, conn, order: new MessageOrder(), lastActive: performance.now(), running: 0, decoder };
    const send = (out: Buffer[], sent?: () => void): void => {
      if (socket.destroyed || out.length === 0) {
        sent?.();
        return;
      }
      live.lastActive = performance.now();
      socket.cork();
      socket.write(framePrefix(out.reduce((n, b) => n + b.length, 0)));
      // The last write's callback runs once it is written, or with an error if the socket dies.
      for (let i = 0; i < out.length; i++) socket.write(out[i] as Buffer, i === out.length - 1 ? sent : undefined);
      socket.uncork();
    };
    conn.onAsync = send;
    this.live.add(live);
    const log = this.ctx.logger;
    let closing = false;
    const end = (reason: string): void => {
      if (closing) return;
      closing = true;
      log.debug({ client: clientAddr, reason }, 'closing SMB connection');
      socket.destroy();
    };
    const pump = (): void => {
      let completed = false;
      for (;;) {
        if (closing) return;
        const message = decoder.next();
        if (message === undefined) break;
        completed = true;
        // Reading pauses while many messages wait or run, so a fast writer cannot queue unbounded memory.
        flow.queue();
        live.running++;
        live.order.run(runsAlongside(message, conn.state), async () => {
          if (closing) return;
          const result: ReceiveResult = await conn.receive(message).catch((err: unknown) => {
            log.warn({ err, client: clientAddr }, 'SMB message failed');
            return { out: [], close: true, reason: 'internal error' };
          });
          live.running--;
          flow.dequeue(decoder.pending);
          // A request still pending may refer to its message: that one is not reused.
          if (!result.holdsMessage) decoder.recycle(message);
          if (closing) {
            if (!result.close) result.sent?.();
            return;
          }
          send(result.out, result.close ? undefined : result.sent);
          if (result.close) end(result.reason);
        });
      }
      const error = decoder.error;
      if (error !== undefined) live.order.run(false, async () => end(error));
      else flow.update(decoder.pending, completed);
    };
    if (adopted === undefined) {
      socket.on('data', (chunk: Buffer) => {
        live.lastActive = performance.now();
        decoder.push(chunk);
        pump();
      });
      socket.resume();
    }
    // The adopted socket allows half-open: a client's FIN alone would never close it.
    socket.on('end', () => {
      live.order.run(false, async () => end('the client closed the connection'));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closing = true;
      this.limits.release(clientAddr);
      flow.close();
      this.live.delete(live);
      void live.order.settled().then(() => conn.close());
    });
  };
}
