/** The metadata and payload store config cases of the control-plane store conformance suite. */
import { describe, expect, it } from 'vitest';
import type { ControlPlaneStore } from '../store.ts';
import { expectError, type ConformanceContext } from './context.ts';

export function storeConfigCases(ctx: ConformanceContext): void {
  describe.each([
    {
      kind: 'metadata',
      create: (s: ControlPlaneStore, name: string) =>
        s.createMetadataStore({ name, type: 'sqlite', config: { path: '/m' } }),
      get: (s: ControlPlaneStore, name: string) => s.getMetadataStore(name),
      list: (s: ControlPlaneStore) => s.listMetadataStores(),
      update: (s: ControlPlaneStore, name: string, c: Record<string, unknown>) => s.updateMetadataStore(name, c),
      remove: (s: ControlPlaneStore, name: string) => s.deleteMetadataStore(name),
      shareField: 'metadataStore',
    },
    {
      kind: 'payload',
      create: (s: ControlPlaneStore, name: string) =>
        s.createPayloadStore({ name, type: 'fs', config: { path: '/m' } }),
      get: (s: ControlPlaneStore, name: string) => s.getPayloadStore(name),
      list: (s: ControlPlaneStore) => s.listPayloadStores(),
      update: (s: ControlPlaneStore, name: string, c: Record<string, unknown>) => s.updatePayloadStore(name, c),
      remove: (s: ControlPlaneStore, name: string) => s.deletePayloadStore(name),
      shareField: 'payloadStore',
    },
  ] as const)('$kind store configs', ({ create, get, list, update, remove, shareField }) => {
    it('creates, reads, lists and updates', async () => {
      const created = await create(ctx.store, 'b');
      await create(ctx.store, 'a');
      expect(created).toEqual({
        name: 'b',
        type: expect.any(String),
        config: { path: '/m' },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(await get(ctx.store, 'b')).toEqual(created);
      expect((await list(ctx.store)).map((c) => c.name)).toEqual(['a', 'b']);
      const updated = await update(ctx.store, 'b', { path: '/n', nested: { deep: [1, 2] } });
      expect(updated.config).toEqual({ path: '/n', nested: { deep: [1, 2] } });
      expect(updated.type).toBe(created.type);
      await expectError(create(ctx.store, 'a'), 'CONFLICT');
      await expectError(get(ctx.store, 'zzz'), 'NOT_FOUND');
      await expectError(update(ctx.store, 'zzz', {}), 'NOT_FOUND');
    });

    it('refuses to delete a store a share references', async () => {
      await ctx.withStores();
      await create(ctx.store, 'spare');
      await ctx.store.createShare({
        name: '/export',
        metadataStore: 'meta',
        payloadStore: 'blocks',
        [shareField]: 'spare',
      });
      await expectError(remove(ctx.store, 'spare'), 'IN_USE');
      await ctx.store.deleteShare('/export');
      await remove(ctx.store, 'spare');
      await expectError(get(ctx.store, 'spare'), 'NOT_FOUND');
      await expectError(remove(ctx.store, 'spare'), 'NOT_FOUND');
    });
  });
}
