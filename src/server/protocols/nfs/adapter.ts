/**
 * The NFS adapter: NFS v3 and v4.0 (100003) and MOUNT v3 (100005) over TCP on one port — and, when
 * the `mountPort` setting is given, MOUNT on that port as well.
 *
 * Settings (all optional):
 * - maxRecordSize: largest RPC record accepted (default 1 MiB + 64 KiB: a full-size
 *   WRITE plus headers); bigger fragment headers close the connection before any buffering.
 * - maxInFlight: calls run concurrently per connection (default 64).
 * - drcSize: duplicate request cache entries (default 1024, 0 disables it).
 * - allowAuthNull: accept AUTH_NULL callers as nobody (default true).
 * - mountPort: serve MOUNT on its own port too (0 picks a free one).
 * - leaseSeconds: the NFSv4 lease (default 90, as knfsd): state of a client silent longer expires.
 * - graceSeconds: after a restart, how long NFSv4 clients that held state may reclaim it before
 *   others may open or lock (default 15; skipped when no client held state; 0 never waits).
 * - maxConnections, maxConnectionsPerClient, idleTimeoutMs, recordTimeoutMs,
 *   maxPartialRecordBytes: connection limits (rpc/connection-limits.ts has the defaults and
 *   why); the NFS and MOUNT ports count together.
 */
import { z } from 'zod';
import type {
  AdapterConfig,
  AdapterFactory,
  ConnectionLimitStats,
  ProtocolAdapter,
  ProtocolRuntime,
} from '../../runtime/types.ts';
import { LogLimiter } from '../../logging/log-limiter.ts';
import { mountProgram } from '../mount/program.ts';
import type { ConnectionStats } from '../rpc/connection.ts';
import {
  CONNECTION_LIMIT_RANGES,
  ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  type ConnectionLimitSettings,
} from '../rpc/connection-limits.ts';
import { AuthFlavor } from '../rpc/constants.ts';
import { RpcDispatcher } from '../rpc/dispatcher.ts';
import { DuplicateRequestCache } from '../rpc/drc.ts';
import { RpcTcpServer } from '../rpc/server.ts';
import { nfs3Program } from './v3/program.ts';
import { nfs4Program, nfs4Server } from './v4/program.ts';

const limit = (key: keyof ConnectionLimitSettings) => {
  const [min, max] = CONNECTION_LIMIT_RANGES[key];
  return z.number().int().min(min).max(max).default(DEFAULT_CONNECTION_LIMITS[key]);
};

export const NfsSettings = z.object({
  maxRecordSize: z
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024 + 64 * 1024),
  maxInFlight: z.number().int().min(1).max(4096).default(64),
  drcSize: z.number().int().min(0).default(1024),
  allowAuthNull: z.boolean().default(true),
  mountPort: z.number().int().min(0).max(65535).optional(),
  leaseSeconds: z.number().int().min(1).max(3600).default(90),
  graceSeconds: z.number().int().min(0).max(3600).default(15),
  maxConnections: limit('maxConnections'),
  maxConnectionsPerClient: limit('maxConnectionsPerClient'),
  idleTimeoutMs: limit('idleTimeoutMs'),
  recordTimeoutMs: limit('recordTimeoutMs'),
  maxPartialRecordBytes: limit('maxPartialRecordBytes'),
});

export type NfsSettings = z.infer<typeof NfsSettings>;

export class NfsAdapter implements ProtocolAdapter {
  readonly protocol = 'nfs';
  private readonly server: RpcTcpServer;
  private readonly mountServer: RpcTcpServer | undefined;
  private readonly limits: ConnectionLimits;
  private readonly warnings: LogLimiter;

  constructor(config: AdapterConfig, runtime: ProtocolRuntime) {
    const settings = NfsSettings.parse(config.settings);
    const logger = runtime.logger.child({ adapter: 'nfs' });
    const authFlavors = settings.allowAuthNull ? [AuthFlavor.AUTH_SYS, AuthFlavor.AUTH_NULL] : [AuthFlavor.AUTH_SYS];
    this.limits = new ConnectionLimits(settings);
    this.warnings = new LogLimiter(logger);
    const mount = mountProgram({ runtime, authFlavors, warnings: this.warnings });
    const dispatcherOpts = { logger, warnings: this.warnings, allowAuthNull: settings.allowAuthNull };
    const serverOpts = {
      bind: config.bind,
      maxRecordSize: settings.maxRecordSize,
      maxInFlight: settings.maxInFlight,
      logger,
      limits: this.limits,
      warnings: this.warnings,
    };
    const drc = settings.drcSize > 0 ? new DuplicateRequestCache(settings.drcSize) : undefined;
    this.server = new RpcTcpServer(
      new RpcDispatcher([nfs3Program(runtime), nfs4Program(nfs4Server(runtime, settings)), mount], {
        ...dispatcherOpts,
        drc,
      }),
      {
        ...serverOpts,
        port: config.port,
      },
    );
    this.mountServer =
      settings.mountPort === undefined
        ? undefined
        : new RpcTcpServer(new RpcDispatcher([mount], dispatcherOpts), {
            ...serverOpts,
            port: settings.mountPort,
            logger: logger.child({ program: 'mount' }),
          });
  }

  get port(): number {
    return this.server.port;
  }

  /** The separate MOUNT port, when configured; else MOUNT is on `port`. */
  get mountPort(): number {
    return this.mountServer?.port ?? this.server.port;
  }

  async serve(): Promise<void> {
    await this.server.listen();
    try {
      await this.mountServer?.listen();
    } catch (err) {
      await this.server.stop(0);
      throw err;
    }
  }

  async stop(deadlineMs: number): Promise<void> {
    await Promise.all([this.server.stop(deadlineMs), this.mountServer?.stop(deadlineMs)]);
    this.warnings.close();
  }

  disconnect(filter: { clientAddr?: string; share?: string }): number {
    return this.server.disconnect(filter) + (this.mountServer?.disconnect(filter) ?? 0);
  }

  /** Live connections with their counters. */
  sessions(): ConnectionStats[] {
    return [...this.server.sessions(), ...(this.mountServer?.sessions() ?? [])];
  }

  connectionLimits(): ConnectionLimitStats {
    return this.limits.stats();
  }
}

export const createNfsAdapter: AdapterFactory = (config, runtime) => new NfsAdapter(config, runtime);
