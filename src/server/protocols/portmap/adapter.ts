/**
 * The portmapper adapter (RFC 1833): PMAP v2 and RPCBIND v3/v4 on their own port (111 by
 * convention, configurable, off by default), over TCP and UDP on the same port number,
 * advertising NFS v3, MOUNT v3, NLM v4 and NSM v1 over TCP, and NLM and NSM over UDP (the
 * NFS adapter serves all four).
 *
 * Settings: `nfsPort` (default 12049) and `mountPort` (default: nfsPort) — where the NFS
 * adapter serves those programs, UDP on nfsPort too — unless the NFS endpoints are given
 * as a live source: then every answer names the ports NFS listens on at that moment, and
 * none while NFS is stopped.
 */
import { z } from 'zod';
import type { AdapterConfig, ProtocolAdapter, ProtocolRuntime } from '../../runtime/types.ts';
import { LogLimiter } from '../../logging/log-limiter.ts';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from '../rpc/connection-limits.ts';
import { RpcDispatcher } from '../rpc/dispatcher.ts';
import { RpcTcpServer } from '../rpc/server.ts';
import { RpcUdpServer } from '../rpc/udp-server.ts';
import { MOUNT_PROG, MOUNT_V3 } from '../mount/constants.ts';
import { NFS_PROG, NFS_V3 } from '../nfs/v3/constants.ts';
import { NLM_PROG, NLM_V4 } from '../nlm/constants.ts';
import { SM_PROG, SM_V1 } from '../nlm/nsm/constants.ts';
import { IPPROTO_TCP, IPPROTO_UDP, PMAP_PROG, type PortMapping } from './mappings.ts';
import { pmapV2Program } from './pmap2.ts';
import { rpcbindProgram } from './rpcbind.ts';

const PortmapSettings = z.object({
  nfsPort: z.number().int().min(1).max(65535).default(12049),
  mountPort: z.number().int().min(1).max(65535).optional(),
});

/** Portmap calls are tiny; anything bigger than this is not one. */
const MAX_RECORD = 64 * 1024;
const MAX_IN_FLIGHT = 16;

/** Where the NFS adapter serves its programs: TCP `port`, MOUNT's, and NLM/NSM over UDP. */
export interface NfsEndpoints {
  port: number;
  mountPort?: number;
  udpPort?: number;
}

/** The NFS endpoints now; undefined while NFS is not running. */
export type NfsEndpointSource = () => NfsEndpoints | undefined;

export function createPortmapAdapter(
  config: AdapterConfig,
  runtime: ProtocolRuntime,
  liveNfs?: NfsEndpointSource,
): ProtocolAdapter {
  const settings = PortmapSettings.parse(config.settings);
  const logger = runtime.logger.child({ adapter: 'portmap' });
  const warnings = new LogLimiter(logger);
  const configured: NfsEndpoints = { port: settings.nfsPort, mountPort: settings.mountPort, udpPort: settings.nfsPort };
  const mappings = (): PortMapping[] => {
    const own = [2, 3, 4].flatMap((vers) => [
      { prog: PMAP_PROG, vers, prot: IPPROTO_TCP, port: server.port },
      ...(udp.port ? [{ prog: PMAP_PROG, vers, prot: IPPROTO_UDP, port: udp.port }] : []),
    ]);
    const nfs = liveNfs ? liveNfs() : configured;
    if (nfs === undefined) return own;
    const locking = (prot: number, port: number): PortMapping[] => [
      { prog: NLM_PROG, vers: NLM_V4, prot, port },
      { prog: SM_PROG, vers: SM_V1, prot, port },
    ];
    return [
      ...own,
      { prog: NFS_PROG, vers: NFS_V3, prot: IPPROTO_TCP, port: nfs.port },
      { prog: MOUNT_PROG, vers: MOUNT_V3, prot: IPPROTO_TCP, port: nfs.mountPort ?? nfs.port },
      ...locking(IPPROTO_TCP, nfs.port),
      ...(nfs.udpPort ? locking(IPPROTO_UDP, nfs.udpPort) : []),
    ];
  };
  const dispatcher = new RpcDispatcher(
    [pmapV2Program(mappings), rpcbindProgram(3, mappings), rpcbindProgram(4, mappings)],
    { logger, warnings, allowAuthNull: true },
  );
  const server = new RpcTcpServer(dispatcher, {
    bind: config.bind,
    port: config.port,
    maxRecordSize: MAX_RECORD,
    maxInFlight: MAX_IN_FLIGHT,
    logger,
    limits: new ConnectionLimits(DEFAULT_CONNECTION_LIMITS),
    warnings,
  });
  const udp = new RpcUdpServer(dispatcher, { bind: config.bind, maxInFlight: MAX_IN_FLIGHT, logger });
  /** UDP only on the TCP port's number: a portmapper elsewhere is one no client asks. */
  const serve = async (): Promise<void> => {
    await server.listen();
    try {
      await udp.listen(server.port);
    } catch (err) {
      logger.warn({ err, port: server.port }, 'portmapper serves TCP only: its UDP port is taken');
    }
  };
  return {
    protocol: 'portmap',
    get port() {
      return server.port;
    },
    serve,
    stop: async (deadlineMs) => {
      await Promise.all([server.stop(deadlineMs), udp.stop(deadlineMs)]);
      warnings.close();
    },
    disconnect: (filter) => server.disconnect(filter),
  };
}
