/** The shares and share-permission cases of the control-plane store conformance suite. */
import { beforeEach, describe, expect, it } from 'vitest';
import { SHARE_DEFAULTS, type NewShare } from '../../models.ts';
import { expectError, type ConformanceContext } from './context.ts';

export function shareCases(ctx: ConformanceContext): void {
  describe('shares', () => {
    beforeEach(() => ctx.withStores());

    it('creates with defaults', async () => {
      const share = await ctx.store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
      expect(share).toEqual({
        ...SHARE_DEFAULTS,
        id: 1,
        name: '/export',
        metadataStore: 'meta',
        payloadStore: 'blocks',
        createdAt: expect.any(String),
      });
      expect(await ctx.store.getShare('/EXPORT')).toEqual(share);
      expect(await ctx.store.getShareById(1)).toEqual(share);
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
      expect(await ctx.store.createShare(input)).toEqual({ ...input, id: 1, createdAt: expect.any(String) });
    });

    it('keeps a folder share: its path and no stores; each kind takes only its own', async () => {
      const folder = await ctx.store.createShare({ name: '/photos', kind: 'folder', path: '/home/me/Photos' });
      expect(folder).toMatchObject({ kind: 'folder', path: '/home/me/Photos', metadataStore: '', payloadStore: '' });
      expect(await ctx.store.getShare('/photos')).toEqual(folder);
      const moved = await ctx.store.updateShare('/photos', { path: '/home/me/Pictures', readOnly: true });
      expect(moved).toMatchObject({ kind: 'folder', path: '/home/me/Pictures', readOnly: true });
      await expectError(ctx.store.updateShare('/photos', { kind: 'managed' }), 'VALIDATION');
      await expectError(ctx.store.updateShare('/photos', { metadataStore: 'meta' }), 'VALIDATION');
      await expectError(ctx.store.createShare({ name: '/f', kind: 'folder' }), 'VALIDATION');
      await expectError(
        ctx.store.createShare({ name: '/f', kind: 'folder', path: '/x', payloadStore: 'blocks' }),
        'VALIDATION',
      );
      await expectError(ctx.store.createShare({ name: '/m', metadataStore: 'meta' }), 'VALIDATION');
      await expectError(
        ctx.store.createShare({ name: '/m', metadataStore: 'meta', payloadStore: 'blocks', path: '/x' }),
        'VALIDATION',
      );
      // A folder share uses no store: both can go.
      await ctx.store.deleteMetadataStore('meta');
      expect((await ctx.store.listShares()).map((s) => s.name)).toEqual(['/photos']);
    });

    it('allocates ids 1, 2, ... and never reuses one, even across reopen', async () => {
      const ids = [];
      for (const name of ['/a', '/b', '/c']) {
        ids.push((await ctx.store.createShare({ name, metadataStore: 'meta', payloadStore: 'blocks' })).id);
      }
      expect(ids).toEqual([1, 2, 3]);
      await ctx.store.deleteShare('/c');
      await ctx.store.deleteShare('/b');
      expect((await ctx.store.createShare({ name: '/b', metadataStore: 'meta', payloadStore: 'blocks' })).id).toBe(4);
      await ctx.store.deleteShare('/b');
      await ctx.reopen();
      expect((await ctx.store.createShare({ name: '/d', metadataStore: 'meta', payloadStore: 'blocks' })).id).toBe(5);
      expect((await ctx.store.listShares()).map((s) => s.id)).toEqual([1, 5]);
    });

    it('rejects a taken name and unknown stores', async () => {
      await ctx.store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
      await expectError(
        ctx.store.createShare({ name: '/Export', metadataStore: 'meta', payloadStore: 'blocks' }),
        'CONFLICT',
      );
      await expectError(
        ctx.store.createShare({ name: '/x', metadataStore: 'nope', payloadStore: 'blocks' }),
        'NOT_FOUND',
      );
      await expectError(
        ctx.store.createShare({ name: '/x', metadataStore: 'meta', payloadStore: 'nope' }),
        'NOT_FOUND',
      );
      expect(await ctx.store.listShares()).toHaveLength(1);
    });

    it('updates, merging SMB options', async () => {
      await ctx.store.createPayloadStore({ name: 'other', type: 'memory' });
      const before = await ctx.store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
      const after = await ctx.store.updateShare('/export', {
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
      expect(await ctx.store.getShare('/export')).toEqual(after);
      await expectError(ctx.store.updateShare('/export', { metadataStore: 'nope' }), 'NOT_FOUND');
      await expectError(ctx.store.updateShare('/nope', { readOnly: true }), 'NOT_FOUND');
    });

    it('deletes', async () => {
      await ctx.store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
      await ctx.store.deleteShare('/export');
      expect(await ctx.store.listShares()).toEqual([]);
      await expectError(ctx.store.deleteShare('/export'), 'NOT_FOUND');
      await expectError(ctx.store.getShareById(1), 'NOT_FOUND');
    });
  });

  describe('share permissions', () => {
    beforeEach(async () => {
      await ctx.withStores();
      await ctx.store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
      await ctx.store.createUser({ username: 'alice', passwordHash: 'h' });
      await ctx.store.createUser({ username: 'bob', passwordHash: 'h' });
      await ctx.store.createGroup({ name: 'staff' });
    });

    it('sets, replaces, lists and deletes', async () => {
      expect(
        await ctx.store.setSharePermission({
          share: '/EXPORT',
          principalType: 'user',
          principal: 'ALICE',
          access: 'read',
        }),
      ).toEqual({ share: '/export', principalType: 'user', principal: 'alice', access: 'read' });
      await ctx.store.setSharePermission({
        share: '/export',
        principalType: 'group',
        principal: 'staff',
        access: 'write',
      });
      await ctx.store.setSharePermission({ share: '/export', principalType: 'user', principal: 'bob', access: 'none' });
      await ctx.store.setSharePermission({
        share: '/export',
        principalType: 'user',
        principal: 'alice',
        access: 'write',
      });
      expect(await ctx.store.listSharePermissions('/export')).toEqual([
        { share: '/export', principalType: 'user', principal: 'alice', access: 'write' },
        { share: '/export', principalType: 'user', principal: 'bob', access: 'none' },
        { share: '/export', principalType: 'group', principal: 'staff', access: 'write' },
      ]);
      await ctx.store.deleteSharePermission('/export', 'user', 'bob');
      await expectError(ctx.store.deleteSharePermission('/export', 'user', 'bob'), 'NOT_FOUND');
      await expectError(ctx.store.deleteSharePermission('/export', 'group', 'alice'), 'NOT_FOUND');
      expect(await ctx.store.listSharePermissions('/export')).toHaveLength(2);
    });

    it('rejects unknown shares and principals', async () => {
      const p = { share: '/export', principalType: 'user', principal: 'alice', access: 'read' } as const;
      await expectError(ctx.store.setSharePermission({ ...p, share: '/nope' }), 'NOT_FOUND');
      await expectError(ctx.store.setSharePermission({ ...p, principal: 'casper' }), 'NOT_FOUND');
      await expectError(ctx.store.setSharePermission({ ...p, principalType: 'group' }), 'NOT_FOUND');
      await expectError(ctx.store.listSharePermissions('/nope'), 'NOT_FOUND');
    });

    it('goes away with its user, group or share', async () => {
      await ctx.store.setSharePermission({
        share: '/export',
        principalType: 'user',
        principal: 'alice',
        access: 'read',
      });
      await ctx.store.setSharePermission({ share: '/export', principalType: 'user', principal: 'bob', access: 'read' });
      await ctx.store.setSharePermission({
        share: '/export',
        principalType: 'group',
        principal: 'staff',
        access: 'read',
      });
      await ctx.store.deleteUser('alice');
      await ctx.store.deleteGroup('staff');
      expect((await ctx.store.listSharePermissions('/export')).map((p) => p.principal)).toEqual(['bob']);
      await ctx.store.deleteShare('/export');
      await ctx.store.createShare({ name: '/export', metadataStore: 'meta', payloadStore: 'blocks' });
      expect(await ctx.store.listSharePermissions('/export')).toEqual([]);
    });
  });
}
