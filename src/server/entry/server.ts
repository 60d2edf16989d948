import { accessSync, constants, mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { AdapterConfig, AdapterType } from '../controlplane/models.ts';
import { createNfsAdapter } from '../protocols/nfs/adapter.ts';
import { createPortmapAdapter } from '../protocols/portmap/adapter.ts';
import type { AdapterFactory, ProtocolAdapter } from '../runtime/types.ts';
import { Runtime } from '../runtime/runtime.ts';
import { startApiServer, type ApiServer } from '../controlplane/api/server.ts';
import { createMetrics, startMetricsServer, type MetricsServer } from '../metrics/metrics.ts';

export class DataDirError extends Error {}

/** Fails early, with one clear line, when the data directory cannot be used. */
export function checkDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new DataDirError(`data directory ${dir} is not writable (${code})`);
  }
}

type Listener = Partial<Pick<AdapterConfig, 'enabled' | 'port' | 'bind'>>;

/**
 * Listener keys set through the environment win over the persisted adapter settings at
 * each start (containers, tests); the config file only seeds them on first start.
 */
export function adapterOverridesFromEnv(
  config: Config,
  env: NodeJS.ProcessEnv,
): Partial<Record<AdapterType, Listener>> {
  const out: Partial<Record<AdapterType, Listener>> = {};
  for (const type of ['nfs', 'smb'] as const) {
    const listener: Listener = {};
    const prefix = `DITTOFS_${type.toUpperCase()}_`;
    if (env[`${prefix}ENABLED`] !== undefined) listener.enabled = config[type].enabled;
    if (env[`${prefix}PORT`] !== undefined) listener.port = config[type].port;
    if (env[`${prefix}BIND`] !== undefined) listener.bind = config[type].bind;
    out[type] = listener;
  }
  return out;
}

/**
 * The NFS listener takes the process-level protocol limits (every `nfs:` key but the
 * listener's own, which the adapter record holds) from the config file.
 */
function nfsFactory(config: Config): AdapterFactory {
  const { enabled: _enabled, bind: _bind, port: _port, portmapper: _portmapper, ...limits } = config.nfs;
  return (cfg, rt) => createNfsAdapter({ ...cfg, settings: { ...limits, ...cfg.settings } }, rt);
}

/** The embedded portmapper (off by default) answers for the NFS listener's bound port. */
async function startPortmapper(config: Config, runtime: Runtime): Promise<ProtocolAdapter | undefined> {
  const nfs = runtime.adapters.running('nfs');
  if (!config.nfs.portmapper.enabled || !nfs) return undefined;
  const portmap = createPortmapAdapter(
    { port: config.nfs.portmapper.port, bind: config.nfs.bind, settings: { nfsPort: nfs.port } },
    runtime,
  );
  await portmap.serve();
  runtime.logger.info({ port: portmap.port }, 'portmapper listening');
  return portmap;
}

export interface RunningServer {
  runtime: Runtime;
  /** Bound ports, for the ready line and tests. */
  ports: { nfs: number | undefined; api: number | undefined; metrics: number | undefined };
  generatedAdminPassword: string | undefined;
  stop(): Promise<void>;
}

/** Builds and starts everything `dfs start` serves. */
export async function startServer(config: Config, logger: Logger, env: NodeJS.ProcessEnv): Promise<RunningServer> {
  checkDataDir(config.dataDir);
  const runtime = await Runtime.open({
    config,
    logger,
    factories: { nfs: nfsFactory(config) },
    adapterOverrides: adapterOverridesFromEnv(config, env),
    adminInitialPassword: env['DITTOFS_ADMIN_INITIAL_PASSWORD'] || undefined,
    controlplaneSecret: env['DITTOFS_CONTROLPLANE_SECRET'] || undefined,
  });
  const metrics = createMetrics(runtime);
  const admin = await runtime.start();
  let api: ApiServer | undefined;
  let metricsServer: MetricsServer | undefined;
  let portmap: ProtocolAdapter | undefined;
  try {
    portmap = await startPortmapper(config, runtime);
    if (config.api.enabled) {
      api = await startApiServer(runtime, config.api.bind, config.api.port, {
        onRequest: (op, status, s) => metrics.recordApi(op, status, s),
      });
      logger.info({ bind: config.api.bind, port: api.port }, 'API listening');
    }
    if (config.metrics.enabled) {
      metricsServer = await startMetricsServer(metrics, config.metrics.bind, config.metrics.port);
      logger.info({ bind: config.metrics.bind, port: metricsServer.port }, 'metrics listening');
    }
  } catch (err) {
    await api?.close();
    await portmap?.stop(0);
    await runtime.stop();
    throw err;
  }
  return {
    runtime,
    ports: { nfs: runtime.adapters.running('nfs')?.port, api: api?.port, metrics: metricsServer?.port },
    generatedAdminPassword: admin.generatedPassword,
    stop: async () => {
      await api?.close();
      await metricsServer?.close();
      await portmap?.stop(config.shutdownTimeoutMs);
      metrics.dispose();
      await runtime.stop();
    },
  };
}
