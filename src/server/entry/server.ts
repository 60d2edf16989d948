import { accessSync, constants, mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { AdapterConfig, AdapterType } from '../controlplane/models.ts';
import { createNfsAdapter } from '../protocols/nfs/adapter.ts';
import { Runtime } from '../runtime/runtime.ts';

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
export function adapterOverridesFromEnv(config: Config, env: NodeJS.ProcessEnv): Partial<Record<AdapterType, Listener>> {
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

export interface RunningServer {
  runtime: Runtime;
  /** Bound ports, for the ready line and tests. */
  ports: { nfs: number | undefined };
  generatedAdminPassword: string | undefined;
  stop(): Promise<void>;
}

/** Builds and starts everything `dfs start` serves. */
export async function startServer(config: Config, logger: Logger, env: NodeJS.ProcessEnv): Promise<RunningServer> {
  checkDataDir(config.dataDir);
  const runtime = await Runtime.open({
    config,
    logger,
    factories: { nfs: createNfsAdapter },
    adapterOverrides: adapterOverridesFromEnv(config, env),
    adminInitialPassword: env['DITTOFS_ADMIN_INITIAL_PASSWORD'] || undefined,
  });
  const admin = await runtime.start();
  return {
    runtime,
    ports: { nfs: runtime.adapters.running('nfs')?.port },
    generatedAdminPassword: admin.generatedPassword,
    stop: () => runtime.stop(),
  };
}
