/** The adapters, settings, guest and instances cases of the control-plane store conformance suite. */
import { describe, expect, it } from 'vitest';
import { GUEST_DEFAULTS, type InstanceRecord } from '../../models.ts';
import { expectError, type ConformanceContext } from './context.ts';

export function serverSettingCases(ctx: ConformanceContext): void {
  describe('adapters', () => {
    it('creates, reads, lists, updates and deletes', async () => {
      const smb = { type: 'smb', enabled: true, port: 12445, bind: '0.0.0.0', settings: {} } as const;
      const nfs = {
        type: 'nfs',
        enabled: true,
        port: 12049,
        bind: '0.0.0.0',
        settings: { maxRecordSize: 1 },
      } as const;
      expect(await ctx.store.createAdapter(smb)).toEqual(smb);
      await ctx.store.createAdapter(nfs);
      expect(await ctx.store.listAdapters()).toEqual([nfs, smb]);
      await expectError(ctx.store.createAdapter(nfs), 'CONFLICT');
      const updated = await ctx.store.updateAdapter('nfs', { enabled: false, port: 2049, settings: { a: [1] } });
      expect(updated).toEqual({ ...nfs, enabled: false, port: 2049, settings: { a: [1] } });
      expect(await ctx.store.getAdapter('nfs')).toEqual(updated);
      await ctx.store.deleteAdapter('nfs');
      await expectError(ctx.store.getAdapter('nfs'), 'NOT_FOUND');
      await expectError(ctx.store.updateAdapter('nfs', {}), 'NOT_FOUND');
      await expectError(ctx.store.deleteAdapter('nfs'), 'NOT_FOUND');
    });
  });

  describe('settings', () => {
    it('stores any JSON value', async () => {
      expect(await ctx.store.getSetting('missing')).toBeUndefined();
      const values = { obj: { a: [1, 'x', null] }, num: 42, str: 's', nul: null, bool: false };
      for (const [key, value] of Object.entries(values)) await ctx.store.setSetting(key, value);
      for (const [key, value] of Object.entries(values)) expect(await ctx.store.getSetting(key)).toEqual(value);
      await ctx.store.setSetting('num', 43);
      expect(await ctx.store.getSetting('num')).toBe(43);
      expect((await ctx.store.listSettings()).map((s) => [s.key, s.value])).toEqual([
        ['bool', false],
        ['nul', null],
        ['num', 43],
        ['obj', values.obj],
        ['str', 's'],
      ]);
      await expectError(ctx.store.setSetting('bad', undefined), 'VALIDATION');
    });

    it('deletes', async () => {
      await ctx.store.setSetting('k', 1);
      await ctx.store.deleteSetting('k');
      expect(await ctx.store.getSetting('k')).toBeUndefined();
      await expectError(ctx.store.deleteSetting('k'), 'NOT_FOUND');
    });
  });

  describe('guest', () => {
    it('starts at the defaults and takes partial updates', async () => {
      expect(await ctx.store.getGuest()).toEqual(GUEST_DEFAULTS);
      expect(await ctx.store.updateGuest({ enabled: true })).toEqual({ ...GUEST_DEFAULTS, enabled: true });
      expect(await ctx.store.updateGuest({ uid: 1234, gid: undefined })).toEqual({
        ...GUEST_DEFAULTS,
        enabled: true,
        uid: 1234,
      });
      expect(await ctx.store.getGuest()).toEqual({ ...GUEST_DEFAULTS, enabled: true, uid: 1234 });
    });
  });

  describe('instances', () => {
    const instance = (id: string, heartbeatAt: number): InstanceRecord => ({
      id,
      hostname: 'nas-1',
      addresses: ['192.0.2.10', 'nas-1.local'],
      ports: { api: 8080, nfs: 12049, smb: null },
      version: '1.2.3',
      startedAt: new Date(heartbeatAt - 1000).toISOString(),
      heartbeatAt,
      stoppedAt: null,
      report: { sessions: 2, checks: { 'postgres.controlplane': 'ok' } },
    });

    it('upserts each instance by id, lists them oldest first, deletes one', async () => {
      expect(await ctx.store.listInstances()).toEqual([]);
      const a = instance('a', 1_700_000_000_000);
      const b = instance('b', 1_700_000_005_000);
      await ctx.store.putInstance(b);
      await ctx.store.putInstance(a);
      expect(await ctx.store.listInstances()).toEqual([a, b]);
      const beat = { ...a, heartbeatAt: a.heartbeatAt + 5000, stoppedAt: '2026-01-01T00:00:00.000Z', report: null };
      await ctx.store.putInstance(beat);
      expect(await ctx.store.listInstances()).toEqual([beat, b]);
      await ctx.store.deleteInstance('a');
      expect(await ctx.store.listInstances()).toEqual([b]);
      await expectError(ctx.store.deleteInstance('a'), 'NOT_FOUND');
    });
  });
}
