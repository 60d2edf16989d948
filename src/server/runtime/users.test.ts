// UsersService applies every change of identities and grants to the live sessions (the
// AccessChangedHook, SMB's recheck in the runtime) after the store and the access tables
// have it, so what the protocols check against is already the new state.
import pino from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteControlPlaneStore } from '../controlplane/store/sqlite/sqlite.ts';
import { AccessIndex } from './access.ts';
import { UsersService } from './users.ts';

vi.mock('../auth/password.ts', () => ({ hashPassword: async (p: string) => `test$${p}` }));

describe('UsersService: changes reach the live sessions', () => {
  let store: SqliteControlPlaneStore;
  let access: AccessIndex;
  let users: UsersService;
  /** What the hook saw when it ran: the guest config and bob's access to /s in the live tables. */
  let seen: { guestEnabled: boolean; bobAccess: string }[];

  beforeEach(async () => {
    store = SqliteControlPlaneStore.open(':memory:');
    access = new AccessIndex(store);
    seen = [];
    users = new UsersService(store, access, pino({ level: 'silent' }), async () => {
      const bob = await store.getUser('bob').catch(() => undefined);
      seen.push({
        guestEnabled: (await store.getGuest()).enabled,
        bobAccess: access.resolver('/s')({ uid: bob?.uid ?? 1234, gid: 0, gids: [] }),
      });
    });
    await store.createMetadataStore({ name: 'm', type: 'memory' });
    await store.createPayloadStore({ name: 'p', type: 'memory' });
    await store.createShare({ name: '/s', metadataStore: 'm', payloadStore: 'p', defaultAccess: 'none' });
    await users.create({ username: 'bob', password: 'bob-password', uid: 1234 });
    await users.setPermission('/s', 'user', 'bob', 'write');
    seen = [];
  });

  it('guests turned off: the hook runs once the store has it', async () => {
    await users.updateGuest({ enabled: true });
    expect(await users.updateGuest({ enabled: false })).toMatchObject({ enabled: false });
    expect(seen.map((s) => s.guestEnabled)).toEqual([true, false]);
  });

  it('a user disabled, a grant removed, a user deleted: the hook runs after the access tables have it', async () => {
    await users.update('bob', { enabled: false });
    await users.update('bob', { enabled: true });
    await users.deletePermission('/s', 'user', 'bob');
    await users.setPermission('/s', 'user', 'bob', 'read');
    await users.delete('bob');
    expect(seen.map((s) => s.bobAccess)).toEqual(['none', 'write', 'none', 'read', 'none']);
  });
});
