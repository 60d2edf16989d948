/** The users and groups cases of the control-plane store conformance suite. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { expectError, type ConformanceContext } from './context.ts';

export function usersAndGroupsCases(ctx: ConformanceContext): void {
  describe('users', () => {
    it('creates with defaults and allocates uids from 1000', async () => {
      const alice = await ctx.store.createUser({ username: 'alice', passwordHash: 'h1' });
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
      expect((await ctx.store.createUser({ username: 'bob', passwordHash: 'h' })).uid).toBe(1001);
      await ctx.store.createUser({ username: 'carol', passwordHash: 'h', uid: 5000, gid: 100 });
      expect((await ctx.store.createUser({ username: 'dave', passwordHash: 'h' })).uid).toBe(5001);
    });

    it('stores every optional field', async () => {
      const u = await ctx.store.createUser({
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
      expect(await ctx.store.getUser('admin')).toEqual(u);
      expect(u).toMatchObject({ ntHash: 'nt', role: 'admin', uid: 0, enabled: false, mustChangePassword: true });
    });

    it('looks users up by name (case-insensitively) and id, and lists them by name', async () => {
      const bob = await ctx.store.createUser({ username: 'bob', passwordHash: 'h' });
      await ctx.store.createUser({ username: 'Alice', passwordHash: 'h' });
      expect(await ctx.store.getUser('BOB')).toEqual(bob);
      expect(await ctx.store.getUserById(bob.id)).toEqual(bob);
      expect((await ctx.store.listUsers()).map((u) => u.username)).toEqual(['Alice', 'bob']);
      await expectError(ctx.store.getUser('nobody'), 'NOT_FOUND');
      await expectError(ctx.store.getUserById('nope'), 'NOT_FOUND');
    });

    it('rejects a taken username or uid', async () => {
      await ctx.store.createUser({ username: 'alice', passwordHash: 'h', uid: 1000 });
      await expectError(ctx.store.createUser({ username: 'ALICE', passwordHash: 'h' }), 'CONFLICT');
      await expectError(ctx.store.createUser({ username: 'bob', passwordHash: 'h', uid: 1000 }), 'CONFLICT');
      const bob = await ctx.store.createUser({ username: 'bob', passwordHash: 'h' });
      await expectError(ctx.store.updateUser('bob', { uid: 1000 }), 'CONFLICT');
      expect(await ctx.store.getUser('bob')).toEqual(bob);
    });

    it('updates fields, clears optional ones with null and stamps password changes', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
      await ctx.store.createUser({
        username: 'alice',
        passwordHash: 'h',
        ntHash: 'nt',
        displayName: 'A',
        email: 'a@x',
      });
      vi.setSystemTime(new Date('2025-01-02T00:00:00Z'));
      const renamed = await ctx.store.updateUser('alice', {
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
      const changed = await ctx.store.updateUser('alice', {
        passwordHash: 'h2',
        ntHash: null,
        mustChangePassword: false,
      });
      expect(changed.passwordHash).toBe('h2');
      expect(changed).not.toHaveProperty('ntHash');
      expect(changed.passwordChangedAt).toBe('2025-01-03T00:00:00.000Z');
      expect(await ctx.store.getUser('alice')).toEqual(changed);
      await expectError(ctx.store.updateUser('nobody', { role: 'admin' }), 'NOT_FOUND');
    });

    it('deletes', async () => {
      await ctx.store.createUser({ username: 'alice', passwordHash: 'h' });
      await ctx.store.deleteUser('Alice');
      expect(await ctx.store.listUsers()).toEqual([]);
      await expectError(ctx.store.deleteUser('alice'), 'NOT_FOUND');
    });
  });

  describe('groups', () => {
    beforeEach(async () => {
      await ctx.store.createUser({ username: 'alice', passwordHash: 'h' });
      await ctx.store.createUser({ username: 'bob', passwordHash: 'h' });
    });

    it('creates with members and allocates gids from 1000', async () => {
      const staff = await ctx.store.createGroup({ name: 'staff', members: ['bob', 'alice'] });
      expect(staff).toEqual({
        id: expect.any(String),
        name: 'staff',
        gid: 1000,
        members: ['alice', 'bob'],
        createdAt: expect.any(String),
      });
      expect((await ctx.store.createGroup({ name: 'empty' })).members).toEqual([]);
      expect((await ctx.store.getGroup('EMPTY')).gid).toBe(1001);
      expect((await ctx.store.listGroups()).map((g) => g.name)).toEqual(['empty', 'staff']);
    });

    it('rejects a taken name or gid, and unknown members without creating the group', async () => {
      await ctx.store.createGroup({ name: 'staff', gid: 50 });
      await expectError(ctx.store.createGroup({ name: 'Staff' }), 'CONFLICT');
      await expectError(ctx.store.createGroup({ name: 'other', gid: 50 }), 'CONFLICT');
      await expectError(ctx.store.createGroup({ name: 'ghosts', members: ['alice', 'casper'] }), 'NOT_FOUND');
      await expectError(ctx.store.getGroup('ghosts'), 'NOT_FOUND');
      await ctx.store.createGroup({ name: 'other' });
      await expectError(ctx.store.updateGroup('other', { gid: 50 }), 'CONFLICT');
      expect((await ctx.store.updateGroup('other', { gid: 60 })).gid).toBe(60);
    });

    it('adds and removes members idempotently and lists a user’s groups', async () => {
      await ctx.store.createGroup({ name: 'staff' });
      await ctx.store.createGroup({ name: 'admins', members: ['alice'] });
      await ctx.store.addGroupMember('staff', 'alice');
      expect((await ctx.store.addGroupMember('staff', 'alice')).members).toEqual(['alice']);
      expect((await ctx.store.listUserGroups('alice')).map((g) => g.name)).toEqual(['admins', 'staff']);
      expect(await ctx.store.listUserGroups('bob')).toEqual([]);
      await ctx.store.removeGroupMember('staff', 'alice');
      expect((await ctx.store.removeGroupMember('staff', 'alice')).members).toEqual([]);
      await expectError(ctx.store.addGroupMember('staff', 'casper'), 'NOT_FOUND');
      await expectError(ctx.store.addGroupMember('nogroup', 'alice'), 'NOT_FOUND');
      await expectError(ctx.store.listUserGroups('casper'), 'NOT_FOUND');
    });

    it('drops memberships of a deleted user and deletes groups', async () => {
      await ctx.store.createGroup({ name: 'staff', members: ['alice', 'bob'] });
      await ctx.store.deleteUser('alice');
      expect((await ctx.store.getGroup('staff')).members).toEqual(['bob']);
      await ctx.store.deleteGroup('staff');
      expect(await ctx.store.listGroups()).toEqual([]);
      expect(await ctx.store.listUserGroups('bob')).toEqual([]);
      await expectError(ctx.store.deleteGroup('staff'), 'NOT_FOUND');
    });
  });
}
