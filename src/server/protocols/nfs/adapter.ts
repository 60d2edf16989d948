/**
 * The NFS adapter: NFS v3 and v4.0-4.2 (100003), MOUNT v3 (100005), and NFSv3's locking, NLM v4
 * (100021) and NSM v1 (100024), over TCP on one port — and, when the `mountPort` setting is
 * given, MOUNT on that port as well. NLM and NSM also answer over UDP (clients such as
 * macOS's lockd insist on it), on the same port number when it is free on UDP, else on
 * another (`udpPort`; the portmapper tells clients which).
 *
 * Settings (all optional):
 * - maxRecordSize: largest RPC record accepted (default 1 MiB + 64 KiB: a full-size
 *   WRITE plus headers); bigger fragment headers close the connection before any buffering.
 * - maxInFlight: calls run concurrently per connection (default 64).
 * - drcSize: duplicate request cache entries (default 1024, 0 disables it).
 * - allowAuthNull: accept AUTH_NULL callers as nobody (default true).
 * - mountPort: serve MOUNT on its own port too (0 picks a free one).
 * - leaseSeconds: the NFSv4 lease (default 90, as knfsd): state of a client silent longer expires.
 * - graceSeconds: after a restart, how long NFSv4 and NLM clients that held state may reclaim it
 *   before others may open or lock (default 15; skipped when no client held state; 0 never waits).
 * - minVersion / maxVersion: the NFS versions served, of 3, 4.0, 4.1, 4.2 (default 3 to 4.2);
 *   MOUNT, NLM and NSM are served with NFSv3 only.
 * - maxConnections, maxConnectionsPerClient, idleTimeoutMs, recordTimeoutMs,
 *   maxPartialRecordBytes: connection limits (rpc/connection-limits.ts has the defaults and
 *   why); the NFS and MOUNT ports count together.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type {
  AdapterConfig,
  AdapterFactory,
  ConnectionLimitStats,
  DisconnectFilter,
  Holding,
  ProtocolAdapter,
  ProtocolRuntime,
} from '../../runtime/types.ts';
import { LogLimiter } from '../../logging/log-limiter.ts';
import type { ByteRangeLocks } from '../../metadata/locks/byte-range-locks.ts';
import { HoldingsTally } from '../holdings.ts';
import { mountProgram } from '../mount/program.ts';
import type { ConnectionStats } from '../rpc/connection.ts';
import { ConnectionLimits } from '../rpc/connection-limits.ts';
import { connectionLimitSetting } from '../rpc/connection-limit-setting.ts';
import { AuthFlavor } from '../rpc/constants.ts';
import { RpcDispatcher } from '../rpc/dispatcher.ts';
import { DuplicateRequestCache } from '../rpc/drc.ts';
import { RpcTcpServer } from '../rpc/server.ts';
import { RpcUdpServer } from '../rpc/udp-server.ts';
import { nfs3Program } from './v3/program.ts';
import { nfs4Program, nfs4Server } from './v4/program.ts';
import type { Nfs4State } from './v4/state.ts';
import { nlmProgram } from '../nlm/program.ts';
import { NlmState } from '../nlm/state.ts';
import { StatusMonitor } from '../nlm/nsm/monitor.ts';
import { nsmProgram } from '../nlm/nsm/program.ts';
import { NfsVersionSetting, servedVersions } from './versions.ts';

export const NfsSettings = z
  .object({
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
    maxConnections: connectionLimitSetting('maxConnections'),
    maxConnectionsPerClient: connectionLimitSetting('maxConnectionsPerClient'),
    idleTimeoutMs: connectionLimitSetting('idleTimeoutMs'),
    recordTimeoutMs: connectionLimitSetting('recordTimeoutMs'),
    maxPartialRecordBytes: connectionLimitSetting('maxPartialRecordBytes'),
    minVersion: NfsVersionSetting.default('3'),
    maxVersion: NfsVersionSetting.default('4.2'),
  })
  .refine((s) => servedVersions(s.minVersion, s.maxVersion) !== undefined, {
    message: 'minVersion must not be above maxVersion',
    path: ['minVersion'],
  });

export type NfsSettings = z.infer<typeof NfsSettings>;

export class NfsAdapter implements ProtocolAdapter {
  readonly protocol = 'nfs';
  private readonly server: RpcTcpServer;
  private readonly mountServer: RpcTcpServer | undefined;
  /** NLM and NSM over UDP, served with NFSv3. */
  private readonly udpServer: RpcUdpServer | undefined;
  private readonly logger: Logger;
  private readonly limits: ConnectionLimits;
  private readonly warnings: LogLimiter;
  /** NLM's hosts and NFSv4's clients: where open files and locks are counted. */
  private readonly holders: ReadonlyArray<{ tallyHoldings(tally: HoldingsTally): void }>;
  private readonly locks: ByteRangeLocks;
  /** NFSv4's open state: its opens end when the adapter stops (their held files go). */
  private readonly v4State: Nfs4State | undefined;

  constructor(config: AdapterConfig, runtime: ProtocolRuntime) {
    const settings = NfsSettings.parse(config.settings);
    const logger = runtime.logger.child({ adapter: 'nfs' });
    this.logger = logger;
    const authFlavors = settings.allowAuthNull ? [AuthFlavor.AUTH_SYS, AuthFlavor.AUTH_NULL] : [AuthFlavor.AUTH_SYS];
    this.limits = new ConnectionLimits(settings);
    this.warnings = new LogLimiter(logger);
    const mount = mountProgram({ runtime, authFlavors, warnings: this.warnings });
    const versions = servedVersions(settings.minVersion, settings.maxVersion) ?? { v3: true, v4: undefined };
    this.locks = runtime.metadata.locks;
    const nlm = new NlmState(runtime, settings);
    const statusMonitor = new StatusMonitor((name, addr) => nlm.hostRestarted(name, addr));
    const v4 = versions.v4 && nfs4Server(runtime, { ...settings, minorVersions: versions.v4 });
    const locking = [nlmProgram(nlm), nsmProgram(statusMonitor)];
    const programs = [
      ...(versions.v3 ? [nfs3Program(runtime), mount, ...locking] : []),
      ...(v4 ? [nfs4Program(v4)] : []),
    ];
    this.v4State = v4 ? v4.state : undefined;
    this.holders = [...(versions.v3 ? [nlm] : []), ...(this.v4State ? [this.v4State] : [])];
    const dispatcherOpts = { logger, warnings: this.warnings, allowAuthNull: settings.allowAuthNull };
    const serverOpts = {
      bind: config.bind,
      maxRecordSize: settings.maxRecordSize,
      maxInFlight: settings.maxInFlight,
      logger,
      limits: this.limits,
      warnings: this.warnings,
    };
    const newDrc = () => (settings.drcSize > 0 ? new DuplicateRequestCache(settings.drcSize) : undefined);
    const drc = newDrc();
    this.server = new RpcTcpServer(
      new RpcDispatcher(programs, {
        ...dispatcherOpts,
        drc,
      }),
      {
        ...serverOpts,
        port: config.port,
      },
    );
    this.mountServer =
      settings.mountPort === undefined || !versions.v3
        ? undefined
        : new RpcTcpServer(new RpcDispatcher([mount], dispatcherOpts), {
            ...serverOpts,
            port: settings.mountPort,
            logger: logger.child({ program: 'mount' }),
          });
    this.udpServer = versions.v3
      ? new RpcUdpServer(new RpcDispatcher(locking, { ...dispatcherOpts, drc: newDrc() }), {
          bind: config.bind,
          maxInFlight: settings.maxInFlight,
          logger,
        })
      : undefined;
  }

  get port(): number {
    return this.server.port;
  }

  /** The separate MOUNT port, when configured; else MOUNT is on `port`. */
  get mountPort(): number {
    return this.mountServer?.port ?? this.server.port;
  }

  /** Where NLM and NSM answer over UDP; undefined when not served (NFSv3 off, or not listening). */
  get udpPort(): number | undefined {
    return this.udpServer?.port || undefined;
  }

  async serve(): Promise<void> {
    await this.server.listen();
    try {
      await this.mountServer?.listen();
      await this.listenUdp();
    } catch (err) {
      await Promise.all([this.server.stop(0), this.mountServer?.stop(0)]);
      throw err;
    }
  }

  /** UDP on the TCP port's number, so clients that assume one port find it; another when that is taken. */
  private async listenUdp(): Promise<void> {
    if (!this.udpServer) return;
    try {
      await this.udpServer.listen(this.server.port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      await this.udpServer.listen(0);
      this.logger.warn(
        { tcpPort: this.server.port, udpPort: this.udpServer.port },
        'UDP port of the NFS port number is taken: NLM and NSM answer over UDP on another port (the portmapper names it)',
      );
    }
  }

  async stop(deadlineMs: number): Promise<void> {
    await Promise.all([
      this.server.stop(deadlineMs),
      this.mountServer?.stop(deadlineMs),
      this.udpServer?.stop(deadlineMs),
    ]);
    await this.v4State?.closeAll();
    this.warnings.close();
  }

  disconnect(filter: DisconnectFilter): number {
    return this.server.disconnect(filter) + (this.mountServer?.disconnect(filter) ?? 0);
  }

  /** Live connections with their counters. */
  sessions(): ConnectionStats[] {
    return [...this.server.sessions(), ...(this.mountServer?.sessions() ?? [])];
  }

  holdings(): Holding[] {
    const tally = new HoldingsTally(this.locks.countsByClient());
    for (const h of this.holders) h.tallyHoldings(tally);
    return tally.list();
  }

  connectionLimits(): ConnectionLimitStats {
    return this.limits.stats();
  }
}

export const createNfsAdapter: AdapterFactory = (config, runtime) => new NfsAdapter(config, runtime);
