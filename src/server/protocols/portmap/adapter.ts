/**
 * The portmapper adapter (RFC 1833): PMAP v2 and RPCBIND v3/v4 on their own port (111 by
 * convention, configurable, off by default), advertising NFS v3, MOUNT v3, NLM v4 and NSM v1
 * over TCP (the NFS adapter serves all four).
 *
 * Settings: `nfsPort` (default 12049) and `mountPort` (default: nfsPort) — where the NFS
 * adapter serves those programs — unless `nfsPort` is given as a live source: then every
 * answer names the port NFS listens on at that moment, and none while NFS is stopped.
 */
import { z } from 'zod';
import type { AdapterConfig, ProtocolAdapter, ProtocolRuntime } from '../../runtime/types.ts';
import { LogLimiter } from '../../logging/log-limiter.ts';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from '../rpc/connection-limits.ts';
import { RpcDispatcher } from '../rpc/dispatcher.ts';
import { RpcTcpServer } from '../rpc/server.ts';
import { MOUNT_PROG, MOUNT_V3 } from '../mount/constants.ts';
import { NFS_PROG, NFS_V3 } from '../nfs/v3/constants.ts';
import { NLM_PROG, NLM_V4 } from '../nlm/constants.ts';
import { SM_PROG, SM_V1 } from '../nlm/nsm/constants.ts';
import { IPPROTO_TCP, PMAP_PROG, type PortMapping } from './mappings.ts';
import { pmapV2Program } from './pmap2.ts';
import { rpcbindProgram } from './rpcbind.ts';

const PortmapSettings = z.object({
  nfsPort: z.number().int().min(1).max(65535).default(12049),
  mountPort: z.number().int().min(1).max(65535).optional(),
});

/** Portmap calls are tiny; anything bigger than this is not one. */
const MAX_RECORD = 64 * 1024;
const MAX_IN_FLIGHT = 16;

/** The port NFS (and MOUNT) listens on now; undefined while NFS is not running. */
export type NfsPortSource = () => number | undefined;

export function createPortmapAdapter(
  config: AdapterConfig,
  runtime: ProtocolRuntime,
  liveNfsPort?: NfsPortSource,
): ProtocolAdapter {
  const settings = PortmapSettings.parse(config.settings);
  const logger = runtime.logger.child({ adapter: 'portmap' });
  const warnings = new LogLimiter(logger);
  const mappings = (): PortMapping[] => {
    const own = [2, 3, 4].map((vers) => ({ prog: PMAP_PROG, vers, prot: IPPROTO_TCP, port: server.port }));
    const nfsPort = liveNfsPort ? liveNfsPort() : settings.nfsPort;
    if (nfsPort === undefined) return own;
    return [
      ...own,
      { prog: NFS_PROG, vers: NFS_V3, prot: IPPROTO_TCP, port: nfsPort },
      { prog: MOUNT_PROG, vers: MOUNT_V3, prot: IPPROTO_TCP, port: settings.mountPort ?? nfsPort },
      { prog: NLM_PROG, vers: NLM_V4, prot: IPPROTO_TCP, port: nfsPort },
      { prog: SM_PROG, vers: SM_V1, prot: IPPROTO_TCP, port: nfsPort },
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
  return {
    protocol: 'portmap',
    get port() {
      return server.port;
    },
    serve: () => server.listen(),
    stop: async (deadlineMs) => {
      await server.stop(deadlineMs);
      warnings.close();
    },
    disconnect: (filter) => server.disconnect(filter),
  };
}
