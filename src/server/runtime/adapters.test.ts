import { createServer, connect, type Server } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isDittoError } from '../../shared/errors.ts';
import { SqliteControlPlaneStore } from '../controlplane/store/sqlite/sqlite.ts';
import { AdaptersService } from './adapters.ts';
import type { AdapterFactory, ProtocolAdapter, ProtocolRuntime } from './types.ts';

const logger = pino({ level: 'silent' });

/** A listener that really binds (loopback), standing in for the NFS adapter. */
const tcpFactory: AdapterFactory = (cfg) => {
  const server = createServer((s) => s.end());
  let port = 0;
  const adapter: ProtocolAdapter = {
    protocol: 'nfs',
    get port() {
      return port;
    },
    serve: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(cfg.port, cfg.bind, () => {
          port = (server.address() as { port: number }).port;
          resolve();
        });
      }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    disconnect: () => 0,
  };
  return adapter;
};

/** Whether something accepts connections on 127.0.0.1:port. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

describe('adapters: a port change never leaves the protocol down', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function setup() {
    const store = SqliteControlPlaneStore.open(':memory:');
    const adapters = new AdaptersService(store, {} as ProtocolRuntime, logger, 100);
    adapters.setFactory('nfs', tcpFactory);
    await store.createAdapter({ type: 'nfs', enabled: true, port: 0, bind: '127.0.0.1', settings: {} });
    await adapters.startAll();
    cleanup.push(() => adapters.stopAll());
    const port = adapters.running('nfs')?.port ?? 0;
    await adapters.update('nfs', { port }); // a fixed port, as a person would set it
    return { store, adapters, port };
  }

  it('keeps serving on the old port, unsaved, when the new one is taken by another program', async () => {
    const { store, adapters, port } = await setup();
    const other = createServer();
    const busy = await listen(other);
    cleanup.push(() => new Promise((r) => other.close(() => r())));

    const err = await adapters.update('nfs', { port: busy }).catch((e: unknown) => e);
    expect(isDittoError(err, 'IN_USE')).toBe(true);
    expect((err as Error).message).toBe(`port: port ${busy} is already in use by another program`);
    expect(await accepts(port)).toBe(true);
    const status = await adapters.get('nfs');
    expect(status).toMatchObject({ state: 'running', port, boundPort: port, error: undefined });
    expect((await store.getAdapter('nfs')).port).toBe(port);
  });

  it('moves to a free port: the new one listens, the old one is closed, the change is saved', async () => {
    const { store, adapters, port } = await setup();
    const probe = createServer();
    const free = await listen(probe);
    await new Promise<void>((r) => probe.close(() => r()));

    await adapters.update('nfs', { port: free });
    expect(await accepts(free)).toBe(true);
    expect(await accepts(port)).toBe(false);
    expect((await store.getAdapter('nfs')).port).toBe(free);
  });

  it('shows which fields an environment variable sets at every start', async () => {
    const { adapters } = await setup();
    adapters.setOverridden('nfs', ['port']);
    expect((await adapters.get('nfs')).overrides).toEqual([{ field: 'port', env: 'DITTOFS_NFS_PORT' }]);
  });
});
