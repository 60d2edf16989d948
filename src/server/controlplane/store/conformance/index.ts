/**
 * The ControlPlaneStore conformance suite. Every backend runs it unchanged:
 *
 *   runControlPlaneStoreConformance('sqlite', async () => ({ open, cleanup }));
 *
 * The cases live in one file per part of the model; they share a ConformanceContext.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ControlPlaneStore } from '../store.ts';
import type { ConformanceContext } from './context.ts';
import { serverSettingCases } from './server-settings.ts';
import { shareCases } from './shares.ts';
import { storeConfigCases } from './store-configs.ts';
import { usersAndGroupsCases } from './users-groups.ts';

export interface ControlPlaneStoreHarness {
  /** Opens the store under test; opening again after close() must see the same data. */
  open(): Promise<ControlPlaneStore>;
  /** Drops whatever the harness created (files, schemas). */
  cleanup(): Promise<void>;
}

export function runControlPlaneStoreConformance(
  backend: string,
  newHarness: () => Promise<ControlPlaneStoreHarness>,
): void {
  describe(`ControlPlaneStore conformance: ${backend}`, () => {
    let harness: ControlPlaneStoreHarness;
    let store: ControlPlaneStore;

    beforeEach(async () => {
      harness = await newHarness();
      store = await harness.open();
    });

    afterEach(async () => {
      vi.useRealTimers();
      await store.close();
      await harness.cleanup();
    });

    async function reopen(): Promise<ControlPlaneStore> {
      await store.close();
      store = await harness.open();
      return store;
    }

    /** One metadata store 'meta' and one payload store 'blocks'. */
    async function withStores(): Promise<void> {
      await store.createMetadataStore({ name: 'meta', type: 'sqlite', config: { path: '/m.db' } });
      await store.createPayloadStore({ name: 'blocks', type: 'fs', config: { path: '/blocks' } });
    }

    const ctx: ConformanceContext = {
      get store() {
        return store;
      },
      reopen,
      withStores,
    };
    usersAndGroupsCases(ctx);
    storeConfigCases(ctx);
    shareCases(ctx);
    serverSettingCases(ctx);

    it('keeps everything across reopen', async () => {
      await withStores();
      await store.createUser({ username: 'alice', passwordHash: 'h', ntHash: 'nt' });
      await store.createGroup({ name: 'staff', members: ['alice'] });
      await store.createShare({
        name: '/export',
        metadataStore: 'meta',
        payloadStore: 'blocks',
        allowedNetworks: ['::1/128'],
      });
      await store.setSharePermission({ share: '/export', principalType: 'group', principal: 'staff', access: 'write' });
      await store.createAdapter({ type: 'nfs', enabled: true, port: 12049, bind: '127.0.0.1', settings: {} });
      await store.setSetting('server.name', 'nas');
      await store.updateGuest({ enabled: true });
      const snapshot = async (s: ControlPlaneStore) => ({
        users: await s.listUsers(),
        groups: await s.listGroups(),
        shares: await s.listShares(),
        permissions: await s.listSharePermissions('/export'),
        metadataStores: await s.listMetadataStores(),
        payloadStores: await s.listPayloadStores(),
        adapters: await s.listAdapters(),
        settings: await s.listSettings(),
        guest: await s.getGuest(),
      });
      const before = await snapshot(store);
      expect(await snapshot(await reopen())).toEqual(before);
    });

    it('closes idempotently', async () => {
      await store.close();
      await store.close();
    });
  });
}
