/**
 * The ControlPlaneStore conformance suite. Every backend runs it unchanged:
 *
 *   runControlPlaneStoreConformance('sqlite', async () => ({ open, cleanup }));
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../../shared/errors.ts';
import { GUEST_DEFAULTS, SHARE_DEFAULTS, type InstanceRecord, type NewShare } from '../models.ts';
import type { ControlPlaneStore } from './store.ts';

export interface ControlPlaneStoreHarness {
  /** Opens the store under test; opening again after close() must see the same data. */
  open(): Promise<ControlPlaneStore>;
  /** Drops whatever the harness created (files, schemas). */
  cleanup(): Promise<void>;
}

async function expectError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'DittoError', code });
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

    describe('users', () => {
      it('creates with defaults and allocates uids from 1000', async () => {
        const alice = await store.createUser({ username: 'alice', passwordHash: 'h1' });
        expect(alice).toEqual({
          id: expect.any(String),
          username: 'alice',
          passwordHash: 'h1',
          role: 'user',
          uid: 1000,
          gid: 1000,
          enabled: true,
          mustChangePassword: false,
          passwordChangedAt: alice.createdAt,
          createdAt: expect.any(String),
          updatedAt: alice.createdAt,
        });
        expect((await store.createUser({ username: 'bob', passwordHash: 'h' })).uid).toBe(1001);
        await store.createUser({ username: 'carol', passwordHash: 'h', uid: 5000, gid: 100 });
        expect((await store.createUser({ username: 'dave', passwordHash: 'h' })).uid).toBe(5001);
      });

      it('stores every optional field', async () => {
        const u = await store.createUser({
          username: 'admin',
          passwordHash: 'h',
          ntHash: 'nt',
          role: 'admin',
          uid: 0,
          gid: 0,
          enabled: false,
          mustChangePassword: true,
          displayName: 'Administrator',
          email: 'admin@example.org',
        });
        expect(await store.getUser('admin')).toEqual(u);
        expect(u).toMatchObject({ ntHash: 'nt', role: 'admin', uid: 0, enabled: false, mustChangePassword: true });
      });

      it('looks users up by name (case-insensitively) and id, and lists them by name', async () => {
        const bob = await store.createUser({ username: 'bob', passwordHash: 'h' });
        await store.createUser({ username: 'Alice', passwordHash: 'h' });
        expect(await store.getUser('BOB')).toEqual(bob);
        expect(await store.getUserById(bob.id)).toEqual(bob);
        expect((await store.listUsers()).map((u) => u.username)).toEqual(['Alice', 'bob']);
        await expectError(store.getUser('nobody'), 'NOT_FOUND');
        await expectError(store.getUserById('nope'), 'NOT_FOUND');
      });

      it('rejects a taken username or uid', async () => {
        await store.createUser({ username: 'alice', passwordHash: 'h', uid: 1000 });
        await expectError(store.createUser({ username: 'ALICE', passwordHash: 'h' }), 'CONFLICT');
        await expectError(store.createUser({ username: 'bob', passwordHash: 'h', uid: 1000 }), 'CONFLICT');
        const bob = await store.createUser({ username: 'bob', passwordHash: 'h' });
        await expectError(store.updateUser('bob', { uid: 1000 }), 'CONFLICT');
        expect(await store.getUser('bob')).toEqual(bob);
      });

      it('updates fields, clears optional ones with null and stamps password changes', async () => {
        vi.useFakeTimers({ toFake: ['Date'] });
        vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
        await store.createUser({ username: 'alice', passwordHash: 'h', ntHash: 'nt', displayName: 'A', email: 'a@x' });
        vi.setSystemTime(new Date('2025-01-02T00:00:00Z'));
        const renamed = await store.updateUser('alice', {
          displayName: 'Alice',
          email: null,
          role: 'operator',
          gid: undefined,
        });
        expect(renamed).toMatchObject({ displayName: 'Alice', role: 'operator', gid: 1000, ntHash: 'nt' });
        expect(renamed).not.toHaveProperty('email');
        expect(renamed.updatedAt).toBe('2025-01-02T00:00:00.000Z');
        expect(renamed.passwordChangedAt).toBe('2025-01-01T00:00:00.000Z');

        vi.setSystemTime(new Date('2025-01-03T00:00:00Z'));
        const changed = await store.updateUser('alice', {
          passwordHash: 'h2',
          ntHash: null,
          mustChangePassword: false,
        });
        expect(changed.passwordHash).toBe('h2');
        expect(changed).not.toHaveProperty('ntHash');
        expect(changed.passwordChangedAt).toBe('2025-01-03T00:00:00.000Z');
        expect(await store.getUser('alice')).toEqual(changed);
        await expectError(store.updateUser('nobody', { role: 'admin' }), 'NOT_FOUND');
      });

      it('deletes', async () => {
        await store.createUser({ username: 'alice', passwordHash: 'h' });
        await store.deleteUser('Alice');
        expect(await store.listUsers()).toEqual([]);
        await expectError(store.deleteUser('alice'), 'NOT_FOUND');
      });
    });

    describe('groups', () => {
      beforeEach(async () => {
        await store.createUser({ username: 'alice', passwordHash: 'h' });
        await store.createUser({ username: 'bob', passwordHash: 'h' });
      });

      it('creates with members and allocates gids from 1000', async () => {
        const staff = await store.createGroup({ name: 'staff', members: ['bob', 'alice'] });
        expect(staff).toEqual({
          id: expect.any(String),
          name: 'staff',
          gid: 1000,
          members: ['alice', 'bob'],
          createdAt: expect.any(String),
        });
        expect((await store.createGroup({ name: 'empty' })).members).toEqual([]);
        expect((await store.getGroup('EMPTY')).gid).toBe(1001);
        expect((await store.listGroups()).map((g) => g.name)).toEqual(['empty', 'staff']);
      });

      it('rejects a taken name or gid, and unknown members without creating the group', async () => {
        await store.createGroup({ name: 'staff', gid: 50 });
        await expectError(store.createGroup({ name: 'Staff' }), 'CONFLICT');
        await expectError(store.createGroup({ name: 'other', gid: 50 }), 'CONFLICT');
        await expectError(store.createGroup({ name: 'ghosts', members: ['alice', 'casper'] }), 'NOT_FOUND');
        await expectError(store.getGroup('ghosts'), 'NOT_FOUND');
        await store.createGroup({ name: 'other' });
        await expectError(store.updateGroup('other', { gid: 50 }), 'CONFLICT');
        expect((await store.updateGroup('other', { gid: 60 })).gid).toBe(60);
      });

      it('adds and removes members idempotently and lists a user’s groups', async () => {
        await store.createGroup({ name: 'staff' });
        await store.createGroup({ name: 'admins', members: ['alice'] });
        await store.addGroupMember('staff', 'alice');
        expect((await store.addGroupMember('staff', 'alice')).members).toEqual(['alice']);
        expect((await store.listUserGroups('alice')).map((g) => g.name)).toEqual(['admins', 'staff']);
        expect(await store.listUserGroups('bob')).toEqual([]);
        await store.removeGroupMember('staff', 'alice');
        expect((await store.removeGroupMember('staff', 'alice')).members).toEqual([]);
        await expectError(store.addGroupMember('staff', 'casper'), 'NOT_FOUND');
        await expectError(store.addGroupMember('nogroup', 'alice'), 'NOT_FOUND');
        await expectError(store.listUserGroups('casper'), 'NOT_FOUND');
      });

      it('drops memberships of a deleted user and deletes groups', async () => {
        await store.createGroup({ name: 'staff', members: ['alice', 'bob'] });
        await store.deleteUser('alice');
        expect((await store.getGroup('staff')).members).toEqual(['bob']);
        await store.deleteGroup('staff');
        expect(await store.listGroups()).toEqual([]);
        expect(await store.listUserGroups('bob')).toEqual([]);
        await expectError(store.deleteGroup('staff'), 'NOT_FOUND');
      });
    });

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
        const created = await create(store, 'b');
        await create(store, 'a');
        expect(created).toEqual({
          name: 'b',
          type: expect.any(String),
          config: { path: '/m' },
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        });
        expect(await get(store, 'b')).toEqual(created);
        expect((await list(store)).map((c) => c.name)).toEqual(['a', 'b']);
        const updated = await update(store, 'b', { path: '/n', nested: { deep: [1, 2] } });
        expect(updated.config).toEqual({ path: '/n', nested: { deep: [1, 2] } });
        expect(updated.type).toBe(created.type);
        await expectError(create(store, 'a'), 'CONFLICT');
        await expectError(get(store, 'zzz'), 'NOT_FOUND');
        await expectError(update(store, 'zzz', {}), 'NOT_FOUND');
      });

      it('refuses to delete a store a share references', async () => {
        await withStores();
        await create(store, 'spare');
        await store.createShare({
          name: '/export',
          metadataStore: 'meta',
          payloadStore: 'blocks',
          [shareField]: 'spare',
        });
        await expectError(remove(store, 'spare'), 'IN_USE');
        await store.deleteShare('/export');
        await remove(store, 'spare');
        await expectError(get(store, 'spare'), 'NOT_FOUND');
        await expectError(remove(store, 'spare'), 'NOT_FOUND');
      });
    });

    describe('shares', () => {
      beforeEach(withStores);

      it('creates with defaults', async () => {
        const share = await store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
        expect(share).toEqual({
          ...SHARE_DEFAULTS,
          id: 1,
          name: '/export',
          metadataStore: 'meta',
          payloadStore: 'blocks',
          createdAt: expect.any(String),
        });
        expect(await store.getShare('/EXPORT')).toEqual(share);
        expect(await store.getShareById(1)).toEqual(share);
      });

      it('stores every field', async () => {
        const input = {
          name: '/media',
          kind: 'managed',
          path: '',
          metadataStore: 'meta',
          payloadStore: 'blocks',
          enabled: false,
          readOnly: true,
          squash: 'all_to_guest',
          anonUid: 99,
          anonGid: 98,
          allowedNetworks: ['10.0.0.0/8', '192.168.1.0/24'],
          protocols: { nfs: false, smb: true },
          smb: { browsable: false, encrypt: true, hostsAllow: ['10.0.0.0/8'], hostsDeny: ['10.0.0.1/32'] },
          guestAccess: 'read',
          defaultAccess: 'none',
          durability: 'remote',
          description: 'Films',
        } satisfies NewShare;
        expect(await store.createShare(input)).toEqual({ ...input, id: 1, createdAt: expect.any(String) });
      });

      it('keeps a folder share: its path and no stores; each kind takes only its own', async () => {
        const folder = await store.createShare({ name: '/photos', kind: 'folder', path: '/home/me/Photos' });
        expect(folder).toMatchObject({ kind: 'folder', path: '/home/me/Photos', metadataStore: '', payloadStore: '' });
        expect(await store.getShare('/photos')).toEqual(folder);
        const moved = await store.updateShare('/photos', { path: '/home/me/Pictures', readOnly: true });
        expect(moved).toMatchObject({ kind: 'folder', path: '/home/me/Pictures', readOnly: true });
        await expectError(store.updateShare('/photos', { kind: 'managed' }), 'VALIDATION');
        await expectError(store.updateShare('/photos', { metadataStore: 'meta' }), 'VALIDATION');
        await expectError(store.createShare({ name: '/f', kind: 'folder' }), 'VALIDATION');
        await expectError(
          store.createShare({ name: '/f', kind: 'folder', path: '/x', payloadStore: 'blocks' }),
          'VALIDATION',
        );
        await expectError(store.createShare({ name: '/m', metadataStore: 'meta' }), 'VALIDATION');
        await expectError(
          store.createShare({ name: '/m', metadataStore: 'meta', payloadStore: 'blocks', path: '/x' }),
          'VALIDATION',
        );
        // A folder share uses no store: both can go.
        await store.deleteMetadataStore('meta');
        expect((await store.listShares()).map((s) => s.name)).toEqual(['/photos']);
      });

      it('allocates ids 1, 2, ... and never reuses one, even across reopen', async () => {
        const ids = [];
        for (const name of ['/a', '/b', '/c']) {
          ids.push((await store.createShare({ name, metadataStore: 'meta', payloadStore: 'blocks' })).id);
        }
        expect(ids).toEqual([1, 2, 3]);
        await store.deleteShare('/c');
        await store.deleteShare('/b');
        expect((await store.createShare({ name: '/b', metadataStore: 'meta', payloadStore: 'blocks' })).id).toBe(4);
        await store.deleteShare('/b');
        await reopen();
        expect((await store.createShare({ name: '/d', metadataStore: 'meta', payloadStore: 'blocks' })).id).toBe(5);
        expect((await store.listShares()).map((s) => s.id)).toEqual([1, 5]);
      });

      it('rejects a taken name and unknown stores', async () => {
        await store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
        await expectError(
          store.createShare({ name: '/Export', metadataStore: 'meta', payloadStore: 'blocks' }),
          'CONFLICT',
        );
        await expectError(
          store.createShare({ name: '/x', metadataStore: 'nope', payloadStore: 'blocks' }),
          'NOT_FOUND',
        );
        await expectError(store.createShare({ name: '/x', metadataStore: 'meta', payloadStore: 'nope' }), 'NOT_FOUND');
        expect(await store.listShares()).toHaveLength(1);
      });

      it('updates, merging SMB options', async () => {
        await store.createPayloadStore({ name: 'other', type: 'memory' });
        const before = await store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
        const after = await store.updateShare('/export', {
          readOnly: true,
          payloadStore: 'other',
          smb: { encrypt: true },
          defaultAccess: 'read',
          durability: 'remote',
          description: undefined,
        });
        expect(before.durability).toBe('local');
        expect(after).toEqual({
          ...before,
          readOnly: true,
          payloadStore: 'other',
          smb: { ...before.smb, encrypt: true },
          defaultAccess: 'read',
          durability: 'remote',
        });
        expect(await store.getShare('/export')).toEqual(after);
        await expectError(store.updateShare('/export', { metadataStore: 'nope' }), 'NOT_FOUND');
        await expectError(store.updateShare('/nope', { readOnly: true }), 'NOT_FOUND');
      });

      it('deletes', async () => {
        await store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
        await store.deleteShare('/export');
        expect(await store.listShares()).toEqual([]);
        await expectError(store.deleteShare('/export'), 'NOT_FOUND');
        await expectError(store.getShareById(1), 'NOT_FOUND');
      });
    });

    describe('share permissions', () => {
      beforeEach(async () => {
        await withStores();
        await store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
        await store.createUser({ username: 'alice', passwordHash: 'h' });
        await store.createUser({ username: 'bob', passwordHash: 'h' });
        await store.createGroup({ name: 'staff' });
      });

      it('sets, replaces, lists and deletes', async () => {
        expect(
          await store.setSharePermission({
            share: '/EXPORT',
            principalType: 'user',
            principal: 'ALICE',
            access: 'read',
          }),
        ).toEqual({ share: '/export', principalType: 'user', principal: 'alice', access: 'read' });
        await store.setSharePermission({
          share: '/export',
          principalType: 'group',
          principal: 'staff',
          access: 'write',
        });
        await store.setSharePermission({ share: '/export', principalType: 'user', principal: 'bob', access: 'none' });
        await store.setSharePermission({
          share: '/export',
          principalType: 'user',
          principal: 'alice',
          access: 'write',
        });
        expect(await store.listSharePermissions('/export')).toEqual([
          { share: '/export', principalType: 'user', principal: 'alice', access: 'write' },
          { share: '/export', principalType: 'user', principal: 'bob', access: 'none' },
          { share: '/export', principalType: 'group', principal: 'staff', access: 'write' },
        ]);
        await store.deleteSharePermission('/export', 'user', 'bob');
        await expectError(store.deleteSharePermission('/export', 'user', 'bob'), 'NOT_FOUND');
        await expectError(store.deleteSharePermission('/export', 'group', 'alice'), 'NOT_FOUND');
        expect(await store.listSharePermissions('/export')).toHaveLength(2);
      });

      it('rejects unknown shares and principals', async () => {
        const p = { share: '/export', principalType: 'user', principal: 'alice', access: 'read' } as const;
        await expectError(store.setSharePermission({ ...p, share: '/nope' }), 'NOT_FOUND');
        await expectError(store.setSharePermission({ ...p, principal: 'casper' }), 'NOT_FOUND');
        await expectError(store.setSharePermission({ ...p, principalType: 'group' }), 'NOT_FOUND');
        await expectError(store.listSharePermissions('/nope'), 'NOT_FOUND');
      });

      it('goes away with its user, group or share', async () => {
        await store.setSharePermission({ share: '/export', principalType: 'user', principal: 'alice', access: 'read' });
        await store.setSharePermission({ share: '/export', principalType: 'user', principal: 'bob', access: 'read' });
        await store.setSharePermission({
          share: '/export',
          principalType: 'group',
          principal: 'staff',
          access: 'read',
        });
        await store.deleteUser('alice');
        await store.deleteGroup('staff');
        expect((await store.listSharePermissions('/export')).map((p) => p.principal)).toEqual(['bob']);
        await store.deleteShare('/export');
        await store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
        expect(await store.listSharePermissions('/export')).toEqual([]);
      });
    });

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
        expect(await store.createAdapter(smb)).toEqual(smb);
        await store.createAdapter(nfs);
        expect(await store.listAdapters()).toEqual([nfs, smb]);
        await expectError(store.createAdapter(nfs), 'CONFLICT');
        const updated = await store.updateAdapter('nfs', { enabled: false, port: 2049, settings: { a: [1] } });
        expect(updated).toEqual({ ...nfs, enabled: false, port: 2049, settings: { a: [1] } });
        expect(await store.getAdapter('nfs')).toEqual(updated);
        await store.deleteAdapter('nfs');
        await expectError(store.getAdapter('nfs'), 'NOT_FOUND');
        await expectError(store.updateAdapter('nfs', {}), 'NOT_FOUND');
        await expectError(store.deleteAdapter('nfs'), 'NOT_FOUND');
      });
    });

    describe('settings', () => {
      it('stores any JSON value', async () => {
        expect(await store.getSetting('missing')).toBeUndefined();
        const values = { obj: { a: [1, 'x', null] }, num: 42, str: 's', nul: null, bool: false };
        for (const [key, value] of Object.entries(values)) await store.setSetting(key, value);
        for (const [key, value] of Object.entries(values)) expect(await store.getSetting(key)).toEqual(value);
        await store.setSetting('num', 43);
        expect(await store.getSetting('num')).toBe(43);
        expect((await store.listSettings()).map((s) => [s.key, s.value])).toEqual([
          ['bool', false],
          ['nul', null],
          ['num', 43],
          ['obj', values.obj],
          ['str', 's'],
        ]);
        await expectError(store.setSetting('bad', undefined), 'VALIDATION');
      });

      it('deletes', async () => {
        await store.setSetting('k', 1);
        await store.deleteSetting('k');
        expect(await store.getSetting('k')).toBeUndefined();
        await expectError(store.deleteSetting('k'), 'NOT_FOUND');
      });
    });

    describe('guest', () => {
      it('starts at the defaults and takes partial updates', async () => {
        expect(await store.getGuest()).toEqual(GUEST_DEFAULTS);
        expect(await store.updateGuest({ enabled: true })).toEqual({ ...GUEST_DEFAULTS, enabled: true });
        expect(await store.updateGuest({ uid: 1234, gid: undefined })).toEqual({
          ...GUEST_DEFAULTS,
          enabled: true,
          uid: 1234,
        });
        expect(await store.getGuest()).toEqual({ ...GUEST_DEFAULTS, enabled: true, uid: 1234 });
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
        expect(await store.listInstances()).toEqual([]);
        const a = instance('a', 1_700_000_000_000);
        const b = instance('b', 1_700_000_005_000);
        await store.putInstance(b);
        await store.putInstance(a);
        expect(await store.listInstances()).toEqual([a, b]);
        const beat = { ...a, heartbeatAt: a.heartbeatAt + 5000, stoppedAt: '2026-01-01T00:00:00.000Z', report: null };
        await store.putInstance(beat);
        expect(await store.listInstances()).toEqual([beat, b]);
        await store.deleteInstance('a');
        expect(await store.listInstances()).toEqual([b]);
        await expectError(store.deleteInstance('a'), 'NOT_FOUND');
      });
    });

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
