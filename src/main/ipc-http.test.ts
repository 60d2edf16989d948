// One router, two transports: the same operation through the desktop path (IPC handler ->
// ServerHost -> utility bridge -> fastify inject) and through HTTP (fetch with a JWT) gives
// the same answer, success or problem. Runs a real Runtime on a temp data dir.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type ApiClient } from '../shared/api/client.ts';
import { OPERATION_IDS, buildHttpRequest, type OperationId, type OpInput } from '../shared/api/operations.ts';
import type { CallResult, FromUtility, ToUtility } from '../shared/desktop.ts';
import { loadConfig } from '../server/config/load.ts';
import { startServer, type RunningServer } from '../server/entry/server.ts';
import { attachBridge, createBackend, type ParentPortLike } from '../server/entry/utility.ts';
import { fakeChannel } from './fakes.test-helpers.ts';
import { handleCall, type IpcBridgeOptions } from './ipc.ts';
import { ServerHost, type UtilityChild } from './server-host.ts';

/** A "utility process" living in this process: postMessage crosses to attachBridge's parentPort. */
class InProcessChild extends EventEmitter implements UtilityChild {
  readonly pid = process.pid;
  readonly parent: ParentPortLike & EventEmitter;
  constructor() {
    super();
    const parent = new EventEmitter() as ParentPortLike & EventEmitter;
    parent.postMessage = (m: FromUtility) => queueMicrotask(() => this.emit('message', m));
    this.parent = parent;
  }
  postMessage(message: ToUtility, transfer?: unknown[]): void {
    queueMicrotask(() => this.parent.emit('message', { data: message, ports: transfer }));
  }
  kill(): boolean {
    return true;
  }
}

describe('IPC and HTTP give the same result for the same operation', () => {
  let dir: string;
  let server: RunningServer;
  let http: ApiClient;
  let base: string;
  let token: string;
  let ipc: (op: OperationId, input: unknown) => Promise<CallResult>;
  let host: ServerHost;
  const origin = { fileUrl: 'file:///app/out/renderer/index.html' };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dittofs-ipc-http-'));
    const env = {
      DITTOFS_NFS_BIND: '127.0.0.1',
      DITTOFS_NFS_PORT: '0',
      DITTOFS_API_PORT: '0',
      DITTOFS_METRICS_ENABLED: 'false',
      DITTOFS_SMB_ENABLED: 'false',
      DITTOFS_ADMIN_INITIAL_PASSWORD: 'ipc-http-admin-pw',
    };
    const config = loadConfig({ dataDir: dir, env });
    const logger = pino({ level: 'silent' });
    server = await startServer(config, logger, env);
    base = `http://127.0.0.1:${server.ports.api as number}`;
    const pair = await createHttpClient({ baseUrl: base }).call('auth.login', {
      body: { username: 'admin', password: 'ipc-http-admin-pw' },
    });
    token = pair.accessToken;
    http = createHttpClient({ baseUrl: base, getAccessToken: () => token });

    const backend = await createBackend(server.runtime, { hostname: 'test' }, async () => undefined, logger);
    host = new ServerHost({
      fork: () => {
        const c = new InProcessChild();
        attachBridge(c.parent, backend, () => undefined);
        return c;
      },
      createChannel: fakeChannel,
    });
    const ready = new Promise((r) => host.once('ready', r));
    host.start();
    await ready;
    const opts: IpcBridgeOptions = {
      origin,
      allowedOps: new Set(OPERATION_IDS),
      forward: (op, params) => host.call(op, params),
    };
    ipc = (op, input) => handleCall(opts, { senderFrame: { url: origin.fileUrl, parent: null } }, op, input);
    // Share usage is measured in the background on first ask; wait for it so both transports
    // read the same cached measurement.
    await vi.waitFor(
      async () => {
        const shares = await http.call('shares.list', {});
        if (!shares.every((s) => s.usage && !s.usage.measuring)) throw new Error('usage not measured yet');
      },
      { timeout: 10_000, interval: 50 },
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function viaHttp(op: OperationId, input: unknown): Promise<CallResult> {
    const req = buildHttpRequest(op, input as OpInput<typeof op>);
    const res = await fetch(base + req.url, {
      method: req.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(req.body !== undefined && { 'content-type': 'application/json' }),
      },
      body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
    });
    const text = await res.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    return res.ok ? { ok: true, result: body } : { ok: false, error: body as never };
  }

  const cases: [OperationId, unknown][] = [
    ['shares.list', {}],
    ['shares.get', { params: { name: '/export' } }],
    ['users.get', { params: { username: 'admin' } }],
    ['stores.payload.list', {}],
    ['adapters.get', { params: { type: 'nfs' } }],
    ['settings.get', { params: { key: 'server.name' } }],
    // Failures: the same problem details.
    ['shares.get', { params: { name: '/nope' } }],
    ['users.create', { body: { username: 'x', password: 'short' } }],
  ];

  it.each(cases)('%s %j', async (op, input) => {
    const [a, b] = [await ipc(op, input), await viaHttp(op, input)];
    expect(a).toEqual(b);
  });

  it('a write through IPC is seen over HTTP', async () => {
    const created = await ipc('groups.create', { body: { name: 'family' } });
    expect(created.ok).toBe(true);
    const g = await http.call('groups.get', { params: { name: 'family' } });
    expect(created.ok && created.result).toEqual(g);
  });

  it('live events reach the main process over the events port', async () => {
    const ev = await new Promise<{ topic: string }>((resolve) => host.once('event', resolve));
    expect(typeof ev.topic).toBe('string');
  });
});
