/**
 * The server inside the desktop app: Electron's main process forks this file with
 * `utilityProcess` (bundled to out/main/utility.js) and talks to it over `process.parentPort`.
 *
 *   main -> {type:'call', id, op, params, token?}   runs the very same API route in-process
 *                                                   (fastify inject), as the local admin
 *                                                   unless a token is given
 *   this -> {type:'reply', id, result | error}      error: the route's problem details
 *   main -> {type:'events'} + one MessagePort       every live event goes out on that port
 *   this -> {type:'status', status}                 once a second, for the tray
 *   main -> {type:'stop'}                           graceful stop, {type:'stopped'}, exit 0
 *
 * A stop message, SIGTERM or SIGINT is one stop request (runtime/lifecycle.ts), honoured
 * whenever it comes, start-up included; a second one (main's kill() after its grace time)
 * exits at once.
 *
 * Nothing here imports electron: the bridge is plain objects, so it runs (and is tested)
 * on plain Node.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServerEvent } from '../../shared/api/events.ts';
import type { OperationId, OpInput } from '../../shared/api/operations.ts';
import { OPERATIONS } from '../../shared/api/operations.ts';
import {
  problem,
  type FromUtility,
  type LiveStatus,
  type Problem,
  type ServerInfo,
  type ToUtility,
} from '../../shared/desktop.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { injectOperation } from '../api/inject.ts';
import { buildApi } from '../api/server.ts';
import { ADMIN_USERNAME } from '../runtime/identity.ts';
import { createLogger } from '../runtime/logger.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { VERSION } from '../version.ts';
import { Lifecycle } from '../runtime/lifecycle.ts';
import { StartAborted, startServer, type RunningServer } from './server.ts';
import { pauseAt } from './test-hooks.ts';

/** Electron's MessagePortMain, as far as we use it. */
export interface PortLike {
  postMessage(message: unknown): void;
  start?(): void;
  close?(): void;
  on?(event: 'close', listener: () => void): unknown;
}

/** Electron's `process.parentPort`, as far as we use it. */
export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: PortLike[] }) => void): unknown;
  postMessage(message: FromUtility): void;
}

/** What the bridge needs from the server. */
export interface BridgeBackend {
  info: ServerInfo;
  /** Runs one operation; status and parsed body, whatever the outcome. */
  call(op: OperationId, input: unknown, token?: string): Promise<{ status: number; body: unknown }>;
  subscribe(listener: (e: ServerEvent) => void): () => void;
  /** Active alerts at warning level or above. */
  warnings(): number;
  stop(): Promise<void>;
}

function asProblem(status: number, body: unknown): Problem {
  const b = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
  return {
    ...b,
    type: typeof b.type === 'string' ? b.type : 'about:blank',
    title: typeof b.title === 'string' ? b.title : `HTTP ${status}`,
    status,
    detail: typeof b.detail === 'string' ? b.detail : typeof b.title === 'string' ? b.title : `HTTP ${status}`,
    code: typeof b.code === 'string' ? b.code : 'SERVER_FAULT',
  };
}

/** Wires parentPort messages to a backend; a stop message calls `requestStop`. Returns a detach function. */
export function attachBridge(port: ParentPortLike, backend: BridgeBackend, requestStop: () => void): () => void {
  let eventsPort: PortLike | undefined;
  const unsubscribe = backend.subscribe((e) => {
    try {
      eventsPort?.postMessage({ topic: e.type, data: e });
    } catch {
      eventsPort = undefined;
    }
    if (e.type === 'throughput') {
      const status: LiveStatus = {
        readBps: e.total.bytesRead,
        writeBps: e.total.bytesWritten,
        opsPerSec: e.total.ops,
        warnings: backend.warnings(),
      };
      port.postMessage({ type: 'status', status });
    }
  });

  const onMessage = async (e: { data: unknown; ports?: PortLike[] }): Promise<void> => {
    const msg = e.data as ToUtility;
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'events') {
      eventsPort?.close?.();
      eventsPort = e.ports?.[0];
      eventsPort?.start?.();
      return;
    }
    if (msg.type === 'stop') {
      unsubscribe();
      requestStop();
      return;
    }
    if (msg.type !== 'call') return;
    const { id, op } = msg;
    if (typeof op !== 'string' || !Object.hasOwn(OPERATIONS, op)) {
      port.postMessage({
        type: 'reply',
        id,
        error: problem(404, 'Unknown operation', `"${String(op)}" is not an operation of this server.`, 'NOT_FOUND'),
      });
      return;
    }
    try {
      const r = await backend.call(op as OperationId, msg.params ?? {}, msg.token);
      if (r.status >= 400) port.postMessage({ type: 'reply', id, error: asProblem(r.status, r.body) });
      else port.postMessage({ type: 'reply', id, result: r.body });
    } catch (err) {
      // e.g. a missing path parameter: the request could not even be built.
      port.postMessage({
        type: 'reply',
        id,
        error: problem(400, 'Invalid request', (err as Error).message, 'VALIDATION'),
      });
    }
  };
  port.on('message', (e) => void onMessage(e));
  port.postMessage({ type: 'ready', info: backend.info });
  return unsubscribe;
}

/**
 * The backend over a started server: its own fastify instance (the same routes as the HTTP
 * listener) called with `inject`, as the local administrator: the desktop user owns this
 * server. The token is re-issued when it expires or the password changes.
 */
export async function createBackend(
  runtime: Runtime,
  info: ServerInfo,
  stop: () => Promise<void>,
  logger?: Logger,
): Promise<BridgeBackend> {
  const app: FastifyInstance = buildApi(runtime, logger ? { logger } : {});
  await app.ready();
  let token: { value: string; exp: number } | undefined;
  const localToken = async (fresh = false): Promise<string> => {
    if (!fresh && token && token.exp > Date.now() + 30_000) return token.value;
    const admin = await runtime.store.getUser(ADMIN_USERNAME).catch(async () => {
      const users = await runtime.store.listUsers();
      const any = users.find((u) => u.role === 'admin' && u.enabled);
      if (!any) throw new Error('no administrator account');
      return any;
    });
    const issued = await runtime.auth.issue(admin);
    token = { value: issued.accessToken, exp: Date.now() + issued.expiresIn * 1000 };
    return token.value;
  };
  return {
    info,
    async call(op, input, given) {
      const run = async (t: string) => injectOperation(app, op, input as OpInput<typeof op>, t);
      if (given) return run(given);
      let r = await run(await localToken());
      // The admin's password changed (tokens issued before are void): sign in again, once.
      if (r.status === 401) r = await run(await localToken(true));
      return r;
    },
    subscribe: (listener) => runtime.events.subscribe(listener),
    warnings: () => runtime.alerts.list().filter((a) => a.level !== 'info' && !a.resolved).length,
    stop: async () => {
      await app.close();
      await stop();
    },
  };
}

function isAddrInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE' || /EADDRINUSE/.test(String((err as Error)?.message));
}

/** Runs when forked by Electron (process.parentPort exists). */
export async function main(parentPort: ParentPortLike, processEnv: NodeJS.ProcessEnv = process.env): Promise<void> {
  // The desktop user is the local administrator and never sees a generated password: a
  // fresh install gets a random one (no forced change) and the first-run wizard sets theirs.
  const env = {
    ...processEnv,
    DITTOFS_ADMIN_INITIAL_PASSWORD:
      processEnv['DITTOFS_ADMIN_INITIAL_PASSWORD'] || randomBytes(24).toString('base64url'),
  };
  let config;
  try {
    config = loadConfig({ env });
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : String(err);
    parentPort.postMessage({ type: 'fatal', message });
    process.exit(2);
  }
  const logger = createLogger(config.logging.level);
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs);
  lifecycle.handleSignals();
  const exit = (code: number): never => {
    parentPort.postMessage({ type: 'stopped' });
    process.exit(code);
  };
  const start = (cfg: typeof config) =>
    startServer(cfg, logger, env, {
      launcher: 'desktop',
      stopRequested: lifecycle.stopRequested,
      atPoint: pauseAt(env, logger, lifecycle),
    });
  let server: RunningServer;
  try {
    try {
      server = await start(config);
    } catch (err) {
      // Another DittoFS (or anything) on the web UI port must not keep the app from serving.
      if (!isAddrInUse(err) || !config.api.enabled) throw err;
      logger.warn({ port: config.api.port }, 'web UI port in use: serving without the HTTP API');
      server = await start({ ...config, api: { ...config.api, enabled: false } });
    }
  } catch (err) {
    if (err instanceof StartAborted) exit(await lifecycle.serveUntilStop());
    throw err;
  }
  const nfs = server.runtime.adapters.running('nfs');
  const smb = server.runtime.adapters.running('smb');
  const info: ServerInfo = { hostname: hostname(), version: VERSION };
  if (nfs?.port) info.nfsPort = info.mountPort = nfs.port;
  if (smb?.port) info.smbPort = smb.port;
  if (server.ports.api) info.apiPort = server.ports.api;
  const backend = await createBackend(server.runtime, info, () => server.stop(), logger);
  if (!lifecycle.stopRequested.aborted) {
    attachBridge(parentPort, backend, () => lifecycle.requestStop({ message: 'stop' }));
    logger.info({ ...info }, 'ready');
  }
  exit(await lifecycle.serveUntilStop(backend));
}

const parentPort = (process as { parentPort?: ParentPortLike }).parentPort;
if (parentPort) {
  main(parentPort).catch((err: unknown) => {
    parentPort.postMessage({ type: 'fatal', message: (err as Error)?.message ?? String(err) });
    process.exit(1);
  });
}
