import { accessSync, constants, mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { AdapterConfig, AdapterType } from '../controlplane/models.ts';
import { createNfsAdapter } from '../protocols/nfs/adapter.ts';
import { createPortmapAdapter } from '../protocols/portmap/adapter.ts';
import { createSmbAdapter } from '../protocols/smb/adapter.ts';
import type { AdapterFactory, ProtocolAdapter } from '../runtime/types.ts';
import { Runtime } from '../runtime/runtime.ts';
import { startApiServer, type ApiServer } from '../api/server.ts';
import { createMetrics, startMetricsServer, type MetricsServer } from '../metrics/metrics.ts';
import { detectLauncher } from './launcher.ts';
import { ControlPlaneUnavailable } from '../controlplane/store/open.ts';
import type { Launcher } from '../../shared/api/schemas.ts';

/** The data directory or the control-plane database cannot be used: one line, exit code 2. */
export class EnvironmentError extends Error {}

/** Fails early, with one clear line, when the data directory cannot be used. */
export function checkDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new EnvironmentError(`data directory ${dir} is not writable (${code})`);
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

/**
 * The embedded portmapper (off by default) answers with the port the NFS listener has at
 * the moment of each question: a port changed later in the UI is what clients are told.
 */
async function startPortmapper(config: Config, runtime: Runtime): Promise<ProtocolAdapter | undefined> {
  if (!config.nfs.portmapper.enabled) return undefined;
  const portmap = createPortmapAdapter(
    { port: config.nfs.portmapper.port, bind: config.nfs.bind, settings: {} },
    runtime,
    () => runtime.adapters.running('nfs'),
  );
  await portmap.serve();
  runtime.logger.info({ port: portmap.port }, 'portmapper listening');
  return portmap;
}

export interface RunningServer {
  runtime: Runtime;
  /** Bound ports, for the ready line and tests. */
  ports: { nfs: number | undefined; smb: number | undefined; api: number | undefined; metrics: number | undefined };
  stop(): Promise<void>;
}

/** The consistent points of start-up: a stop request is honoured there (and tests may pause there). */
export type StartPoint = 'opened' | 'started' | 'listening';

export interface StartOptions {
  /** A stop request: start-up stops at its next consistent point, undoes what it started and throws StartAborted. */
  stopRequested?: AbortSignal;
  /** Awaited at each consistent point (test hooks). */
  atPoint?: (point: StartPoint) => Promise<void>;
  /** The admin's generated first password, as soon as it exists: it must be shown even if start-up stops right after. */
  onGeneratedAdminPassword?: (password: string) => void;
  /** Who started the server (default: detected from the process, see launcher.ts). */
  launcher?: Launcher;
}

/** Start-up stopped on request; everything it had started is stopped again. */
export class StartAborted extends Error {
  constructor() {
    super('start-up stopped on request');
  }
}

/**
 * Builds and starts everything `dfs start` serves. Each step that starts something pushes
 * its undo; a failure or a stop request between steps runs them in reverse.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  env: NodeJS.ProcessEnv,
  opts: StartOptions = {},
): Promise<RunningServer> {
  checkDataDir(config.dataDir);
  const undo: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  const reached = async (point: StartPoint): Promise<void> => {
    await opts.atPoint?.(point);
    if (opts.stopRequested?.aborted) throw new StartAborted();
  };
  try {
    if (opts.stopRequested?.aborted) throw new StartAborted();
    const runtime = await Runtime.open({
      config,
      logger,
      factories: { nfs: nfsFactory(config), smb: createSmbAdapter },
      adapterOverrides: adapterOverridesFromEnv(config, env),
      adminInitialPassword: env['DITTOFS_ADMIN_INITIAL_PASSWORD'] || undefined,
      controlplaneSecret: env['DITTOFS_CONTROLPLANE_SECRET'] || undefined,
      launcher: opts.launcher ?? detectLauncher(),
    }).catch((err: unknown) => {
      throw err instanceof ControlPlaneUnavailable ? new EnvironmentError(err.message) : err;
    });
    undo.push(() => runtime.stop());
    const metrics = createMetrics(runtime);
    undo.push(async () => metrics.dispose());
    await reached('opened');
    const admin = await runtime.start();
    if (admin.generatedPassword) opts.onGeneratedAdminPassword?.(admin.generatedPassword);
    await reached('started');
    const portmap = await startPortmapper(config, runtime);
    if (portmap) undo.push(() => portmap.stop(config.shutdownTimeoutMs));
    let api: ApiServer | undefined;
    if (config.api.enabled) {
      const server = await startApiServer(runtime, config.api.bind, config.api.port, {
        onRequest: (op, status, s) => metrics.recordApi(op, status, s),
      });
      undo.push(() => server.close());
      logger.info({ bind: config.api.bind, port: server.port }, 'API listening');
      await runtime.cluster.setApiPort(server.port);
      api = server;
    }
    let metricsServer: MetricsServer | undefined;
    if (config.metrics.enabled) {
      const server = await startMetricsServer(metrics, config.metrics.bind, config.metrics.port);
      undo.push(() => server.close());
      logger.info({ bind: config.metrics.bind, port: server.port }, 'metrics listening');
      metricsServer = server;
    }
    await reached('listening');
    return {
      runtime,
      ports: {
        nfs: runtime.adapters.running('nfs')?.port,
        smb: runtime.adapters.running('smb')?.port,
        api: api?.port,
        metrics: metricsServer?.port,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
