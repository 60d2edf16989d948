/**
 * A TCP listener serving RPC programs: one RpcConnection per client, graceful stop and
 * targeted disconnects. The NFS (+ MOUNT) and portmap adapters are built on it.
 * Connections past the limits (connection-limits.ts) are reset as soon as they are
 * accepted; a periodic sweep closes the idle ones and those owing a record too long.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { plainAddress } from './address.ts';
import { RpcConnection, type ConnectionOptions, type ConnectionStats } from './connection.ts';
import type { RpcDispatcher } from './dispatcher.ts';
import type { DisconnectFilter } from '../../runtime/types.ts';

export interface RpcServerOptions extends ConnectionOptions {
  bind: string;
  port: number;
}

/** How often connections are checked against the timeouts: a fraction of the shorter one. */
function sweepIntervalMs(settings: { idleTimeoutMs: number; recordTimeoutMs: number }): number {
  return Math.min(1000, Math.max(50, Math.min(settings.idleTimeoutMs, settings.recordTimeoutMs) / 4));
}

export class RpcTcpServer {
  private readonly server: Server;
  private readonly connections = new Set<RpcConnection>();
  private boundPort: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly dispatcher: RpcDispatcher,
    private readonly opts: RpcServerOptions,
  ) {
    this.boundPort = opts.port;
    // Paused on connect: RpcConnection.accept may move the socket into one that reads into its own memory.
    this.server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, this.onConnection);
  }

  get port(): number {
    return this.boundPort;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.bind, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.opts.logger.error({ err }, 'listener error'));
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.boundPort = addr.port;
        this.opts.logger.info({ bind: this.opts.bind, port: this.boundPort }, 'listening');
        this.sweeper = setInterval(this.sweep, sweepIntervalMs(this.opts.limits.settings));
        this.sweeper.unref();
        resolve();
      });
    });
  }

  /** Stops accepting, waits up to `deadlineMs` for in-flight calls, then closes every connection. */
  async stop(deadlineMs: number): Promise<void> {
    clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const conns = [...this.connections];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
    await Promise.race([Promise.all(conns.map((c) => c.drain())), timeout]);
    clearTimeout(timer);
    for (const c of this.connections) c.destroy();
    await closed;
  }

  /** Ends the connections of a client and/or connections that used a share. */
  disconnect(filter: DisconnectFilter): number {
    if (filter.mountKey !== undefined) return 0; // records with keys are SMB sessions'
    let n = 0;
    for (const c of this.connections) {
      if (filter.clientAddr !== undefined && c.clientAddr !== filter.clientAddr) continue;
      if (filter.share !== undefined && !c.shares.has(filter.share)) continue;
      c.destroy();
      n++;
    }
    return n;
  }

  sessions(): ConnectionStats[] {
    return [...this.connections].map((c) => c.stats());
  }

  private readonly onConnection = (accepted: Socket): void => {
    const clientAddr = plainAddress(accepted.remoteAddress ?? '');
    const refusal = this.opts.limits.admit(clientAddr);
    if (refusal !== undefined) {
      const { maxConnections, maxConnectionsPerClient } = this.opts.limits.settings;
      const limit = refusal === 'max_connections' ? maxConnections : maxConnectionsPerClient;
      this.opts.warnings.warn(
        'connection-refused',
        clientAddr,
        { reason: refusal, limit },
        'connection refused: too many connections',
      );
      // A reset, not a close: the client learns at once, and no TIME_WAIT is left here.
      accepted.resetAndDestroy();
      return;
    }
    const conn = RpcConnection.accept(accepted, this.dispatcher, this.opts);
    this.connections.add(conn);
    conn.whenClosed(() => {
      this.connections.delete(conn);
      this.opts.limits.release(clientAddr);
    });
  };

  private readonly sweep = (): void => {
    const now = Date.now();
    for (const c of this.connections) c.expire(now);
  };
}
