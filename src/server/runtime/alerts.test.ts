import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../shared/api/events.ts';
import { SqliteControlPlaneStore } from '../controlplane/store/sqlite/sqlite.ts';
import type { AdaptersService, AdapterStatus } from './adapters.ts';
import { AlertsService, DISK_CAUSE, type DiskUsage } from './alerts.ts';
import { EventHub } from './events.ts';
import { MountsService } from './mounts.ts';
import { SettingsService } from './settings.ts';
import { AccessIndex } from './access.ts';
import { SessionsService } from './sessions.ts';

const logger = pino({ level: 'silent' });
const GiB = 2 ** 30;

function setup() {
  const store = SqliteControlPlaneStore.open(':memory:');
  const settings = new SettingsService(store);
  const mounts = new MountsService();
  const adapters = Object.assign(new EventEmitter(), { running: () => undefined }) as unknown as AdaptersService;
  const sessions = new SessionsService(mounts, adapters, new AccessIndex(store), logger);
  const hub = new EventHub(mounts, adapters, sessions, logger);
  let usage: DiskUsage = { totalBytes: 100 * GiB, freeBytes: 50 * GiB, availBytes: 50 * GiB };
  const alerts = new AlertsService(hub, settings, adapters, logger, {
    dataDir: '/data',
    intervalMs: 3_600_000,
    usage: async () => usage,
  });
  const events: ServerEvent[] = [];
  hub.subscribe((e) => events.push(e));
  return { store, settings, mounts, adapters, hub, alerts, events, setUsage: (u: DiskUsage) => (usage = u) };
}

const adapterStatus = (state: AdapterStatus['state'], error?: string): AdapterStatus => ({
  type: 'nfs',
  enabled: true,
  port: 0,
  bind: '127.0.0.1',
  overrides: [],
  settings: {},
  state,
  boundPort: undefined,
  error,
});

describe('AlertsService', () => {
  it('raises the disk alert once per cause, escalates, resolves', async () => {
    const t = setup();
    await t.alerts.checkDisk();
    expect(t.alerts.list()).toEqual([]);
    t.setUsage({ totalBytes: 100 * GiB, freeBytes: 5 * GiB, availBytes: 5 * GiB });
    await t.alerts.checkDisk();
    await t.alerts.checkDisk();
    const alertEvents = () => t.events.filter((e) => e.type === 'alert');
    expect(alertEvents()).toHaveLength(1);
    expect(t.alerts.list()).toEqual([
      expect.objectContaining({
        cause: DISK_CAUSE,
        level: 'warning',
        resolved: false,
        link: 'settings/alerts.diskAlmostFullPercent',
      }),
    ]);
    t.setUsage({ totalBytes: 100 * GiB, freeBytes: 1 * GiB, availBytes: 1 * GiB });
    await t.alerts.checkDisk();
    expect(t.alerts.list()[0]?.level).toBe('critical');
    expect(alertEvents()).toHaveLength(2);
    t.setUsage({ totalBytes: 100 * GiB, freeBytes: 60 * GiB, availBytes: 60 * GiB });
    await t.alerts.checkDisk();
    expect(t.alerts.list()).toEqual([]);
    expect(alertEvents().at(-1)).toMatchObject({ type: 'alert', alert: { cause: DISK_CAUSE, resolved: true } });
    await t.store.close();
  });

  it('follows its threshold setting live, and dismissed alerts stay hidden until they come back', async () => {
    const t = setup();
    t.alerts.start();
    await t.settings.set('alerts.diskAlmostFullPercent', 40);
    await new Promise((r) => setTimeout(r, 20));
    const [alert] = t.alerts.list();
    expect(alert?.cause).toBe(DISK_CAUSE);
    t.alerts.dismiss(alert!.id);
    expect(t.alerts.list()).toEqual([]);
    expect(() => t.alerts.dismiss(alert!.id)).toThrow();
    await t.alerts.checkDisk();
    expect(t.alerts.list()).toEqual([]);
    await t.settings.delete('alerts.diskAlmostFullPercent');
    await new Promise((r) => setTimeout(r, 20));
    await t.settings.set('alerts.diskAlmostFullPercent', 40);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.alerts.list()).toHaveLength(1);
    t.alerts.stop();
    await expect(t.settings.set('alerts.diskAlmostFullPercent', 0)).rejects.toThrow(/alerts.diskAlmostFullPercent/);
    await t.store.close();
  });

  it('raises an error alert when an adapter fails and resolves it when it runs', async () => {
    const t = setup();
    t.alerts.start();
    const emitter = t.adapters as unknown as EventEmitter;
    emitter.emit('state', adapterStatus('error', 'EADDRINUSE'));
    expect(t.alerts.list()).toEqual([
      expect.objectContaining({ cause: 'adapter.nfs', level: 'error', message: expect.stringMatching(/EADDRINUSE/) }),
    ]);
    emitter.emit('state', adapterStatus('running'));
    expect(t.alerts.list()).toEqual([]);
    t.alerts.stop();
    await t.store.close();
  });
});

describe('EventHub', () => {
  it('publishes a throughput window per tick, and runtime events to the topics asked for', async () => {
    const t = setup();
    t.hub.start();
    const only: ServerEvent[] = [];
    const off = t.hub.subscribe((e) => only.push(e), ['mount', 'adapter']);
    t.mounts.add({ protocol: 'nfs3', clientAddr: '10.0.0.9', share: '/export', user: '1000' });
    t.mounts.record({
      protocol: 'nfs3',
      op: 'WRITE',
      share: '/export',
      clientAddr: '10.0.0.9',
      bytesRead: 0,
      bytesWritten: 4096,
      latencyMs: 1,
      status: 'ok',
    });
    t.mounts.record({
      protocol: 'nfs3',
      op: 'READ',
      share: '/export',
      clientAddr: '10.0.0.9',
      bytesRead: 100,
      bytesWritten: 0,
      latencyMs: 1,
      status: 'ok',
    });
    const sample = t.hub.tick();
    expect(sample.total).toEqual({ bytesRead: 100, bytesWritten: 4096, ops: 2 });
    expect(sample.byShare['/export']).toEqual({ bytesRead: 100, bytesWritten: 4096, ops: 2 });
    expect(sample.byClient['10.0.0.9']?.ops).toBe(2);
    expect(t.hub.tick().total.ops).toBe(0);
    expect(t.hub.lastSample?.total.ops).toBe(0);
    (t.adapters as unknown as EventEmitter).emit('state', adapterStatus('running'));
    expect(only.map((e) => e.type)).toEqual(['mount', 'adapter']);
    expect(t.events.filter((e) => e.type === 'throughput')).toHaveLength(2);
    // Session counters go out with the stream, once per change (the second tick changed nothing).
    const sessions = t.events.filter((e) => e.type === 'sessions');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.sessions[0]).toMatchObject({ user: 'uid 1000', uid: 1000, bytesWritten: 4096, bytesRead: 100 });
    off();
    t.hub.stop();
    t.mounts.add({ protocol: 'nfs3', clientAddr: '10.0.0.8', share: '/export', user: '0' });
    expect(t.events.filter((e) => e.type === 'mount')).toHaveLength(1);
    await t.store.close();
  });
});
