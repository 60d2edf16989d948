import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS, type CallResult } from '../shared/desktop.ts';
import { EventsRelay } from './events-relay.ts';
import { fakeChannel, type FakePort } from './fakes.test-helpers.ts';
import { handleCall, registerIpc, type IpcBridgeOptions, type IpcEventLike, type IpcMainLike } from './ipc.ts';
import { isAllowedExternal, isTrustedFrame, isTrustedUrl } from './security.ts';

const origin = { fileUrl: 'file:///opt/DittoFS/resources/app.asar/out/renderer/index.html' };
const ours = (url = `${origin.fileUrl}#/shares`): IpcEventLike => ({ senderFrame: { url, parent: null } });

function opts(
  forward = vi.fn(async (): Promise<CallResult> => ({ ok: true, result: [] })),
): IpcBridgeOptions & { forward: typeof forward } {
  return {
    origin,
    allowedOps: new Set(['shares.list', 'users.create']),
    forward,
    local: { 'desktop.getStartAtLogin': () => true },
  };
}

describe('IPC bridge', () => {
  it('forwards an allowed operation from our page', async () => {
    const o = opts();
    const r = await handleCall(o, ours(), 'shares.list', { query: {} });
    expect(r).toEqual({ ok: true, result: [] });
    expect(o.forward).toHaveBeenCalledWith('shares.list', { query: {} });
  });

  it('refuses an unknown operation without forwarding it', async () => {
    const o = opts();
    for (const op of ['shares.drop', '__proto__', 'constructor', 42, undefined]) {
      const r = await handleCall(o, ours(), op, {});
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.status).toBe(404);
    }
    expect(o.forward).not.toHaveBeenCalled();
  });

  it('refuses a foreign frame, a sub-frame and a missing frame', async () => {
    const o = opts();
    const foreign: IpcEventLike[] = [
      ours('https://evil.example/index.html'),
      ours('file:///tmp/other/index.html'),
      { senderFrame: { url: origin.fileUrl, parent: { url: origin.fileUrl, parent: null } } },
      { senderFrame: null },
    ];
    for (const ev of foreign) {
      const r = await handleCall(o, ev, 'shares.list', {});
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.status).toBe(403);
    }
    expect(o.forward).not.toHaveBeenCalled();
  });

  it('answers desktop-only operations in the main process', async () => {
    const o = opts();
    expect(await handleCall(o, ours(), 'desktop.getStartAtLogin', undefined)).toEqual({ ok: true, result: true });
    expect(o.forward).not.toHaveBeenCalled();
  });

  it('registers the channels and gives our page (only) an events port', async () => {
    const handlers = new Map<string, (e: IpcEventLike, ...a: unknown[]) => unknown>();
    const listeners = new Map<string, (e: IpcEventLike, ...a: unknown[]) => void>();
    const ipcMain: IpcMainLike = {
      handle: (c, l) => void handlers.set(c, l),
      on: (c, l) => listeners.set(c, l),
      removeHandler: (c) => void handlers.delete(c),
      removeAllListeners: (c) => listeners.delete(c),
    };
    const relay = new EventsRelay();
    const windowPorts: FakePort[] = [];
    const o = { ...opts(), relay, createChannel: fakeChannel };
    const off = registerIpc(ipcMain, o);
    expect(await handlers.get(IPC_CHANNELS.call)!(ours(), 'nope', {})).toMatchObject({ ok: false });

    const post = vi.fn((_c: string, _m: unknown, transfer?: unknown[]) => windowPorts.push(transfer?.[0] as FakePort));
    listeners.get(IPC_CHANNELS.requestEventsPort)!({
      senderFrame: { url: origin.fileUrl, parent: null, postMessage: post },
    });
    listeners.get(IPC_CHANNELS.requestEventsPort)!({
      senderFrame: { url: 'https://evil.example/', parent: null, postMessage: post },
    });
    expect(post).toHaveBeenCalledTimes(1);
    expect(relay.size).toBe(1);

    // The window subscribes to a topic and gets only that topic.
    const got: unknown[] = [];
    windowPorts[0]!.on('message', (e: { data: unknown }) => got.push(e.data));
    windowPorts[0]!.postMessage({ subscribe: 'throughput' });
    await new Promise((r) => setTimeout(r, 0));
    relay.publish({ topic: 'mount', data: 1 });
    relay.publish({ topic: 'throughput', data: 2 });
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([{ topic: 'throughput', data: 2 }]);
    off();
    expect(handlers.size).toBe(0);
  });
});

describe('security helpers', () => {
  it('trusts only our renderer', () => {
    expect(isTrustedUrl(`${origin.fileUrl}#/x`, origin)).toBe(true);
    expect(isTrustedUrl('file:///opt/DittoFS/resources/app.asar/out/renderer/other.html', origin)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/#/', { devServerUrl: 'http://localhost:5173' })).toBe(true);
    expect(isTrustedUrl('http://localhost:5174/', { devServerUrl: 'http://localhost:5173' })).toBe(false);
    expect(isTrustedFrame({ url: 'not a url', parent: null }, origin)).toBe(false);
  });

  it('opens only allow-listed schemes outside', () => {
    expect(isAllowedExternal('https://github.com/')).toBe(true);
    expect(isAllowedExternal('smb://nas:12445/photos')).toBe(true);
    expect(isAllowedExternal('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternal('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternal('ms-msdt:/id')).toBe(false);
  });
});
