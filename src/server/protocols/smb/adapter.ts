/**
 * The SMB adapter: SMB 2.0.2 – 3.1.1 over direct TCP on one port, on the same Runtime
 * (MetadataService, PayloadService, shares, mounts) as NFS. Settings: settings.ts.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  AdapterConfig,
  AdapterFactory,
  ConnectionLimitStats,
  DisconnectFilter,
  Holding,
  ProtocolAdapter,
  ProtocolRuntime,
} from '../../runtime/types.ts';
import type { ByteRangeLocks } from '../../metadata/locks/byte-range-locks.ts';
import { HoldingsTally } from '../holdings.ts';
import { LoginThrottle } from '../../auth/ratelimit.ts';
import type { ServerName } from './auth/ntlm.ts';
import type { SmbServerContext } from './handler.ts';
import { SmbTcpServer, type SmbSessionInfo } from './server.ts';
import { SmbSettings } from './settings.ts';
import { ShareModeTable } from './share-modes.ts';
import { OpenPaths } from './open-paths.ts';
import { fileTime } from './writer.ts';

/** A NetBIOS-style name: letters, digits and hyphens, at most 15, upper case. */
function serverName(configured: string | undefined): ServerName {
  const host = (configured ?? hostname().split('.')[0] ?? 'DITTOFS').replace(/[^A-Za-z0-9-]/g, '') || 'DITTOFS';
  const computer = host.slice(0, 15).toUpperCase();
  return { computer, domain: computer, dnsComputer: host.toLowerCase() };
}

export class SmbAdapter implements ProtocolAdapter {
  readonly protocol = 'smb';
  private readonly server: SmbTcpServer;
  private readonly locks: ByteRangeLocks;
  private readonly openPaths: OpenPaths;

  constructor(config: AdapterConfig, runtime: ProtocolRuntime) {
    const settings = SmbSettings.parse(config.settings);
    this.locks = runtime.metadata.locks;
    const now = Date.now();
    this.openPaths = new OpenPaths(runtime.metadata);
    const ctx: SmbServerContext = {
      runtime,
      settings,
      logger: runtime.logger.child({ adapter: 'smb' }),
      serverGuid: randomBytes(16),
      startTime: fileTime({ sec: Math.floor(now / 1000), nsec: 0 }),
      name: serverName(settings.serverName),
      shareModes: new ShareModeTable(),
      openPaths: this.openPaths,
      throttle: new LoginThrottle(),
    };
    this.server = new SmbTcpServer(ctx, config.bind, config.port);
  }

  get port(): number {
    return this.server.port;
  }

  serve(): Promise<void> {
    return this.server.listen();
  }

  async stop(deadlineMs: number): Promise<void> {
    await this.server.stop(deadlineMs);
    this.openPaths.close();
  }

  disconnect(filter: DisconnectFilter): number {
    return this.server.disconnect(filter);
  }

  recheckAccess(): Promise<number> {
    return this.server.recheckAccess();
  }

  /** Live connections: client, users, shares, dialect, signing, encryption and bytes. */
  sessions(): SmbSessionInfo[] {
    return this.server.sessions();
  }

  /** The record-memory budget and record timeouts (no connection-count limits on SMB). */
  connectionLimits(): ConnectionLimitStats {
    return this.server.limits.stats();
  }

  holdings(): Holding[] {
    const tally = new HoldingsTally(this.locks.countsByClient());
    this.server.tallyHoldings(tally);
    return tally.list();
  }
}

export const createSmbAdapter: AdapterFactory = (config, runtime) => new SmbAdapter(config, runtime);
