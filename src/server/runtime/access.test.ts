import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isDittoError } from '../../shared/errors.ts';
import { configSchema } from '../config/schema.ts';
import { SHARE_DEFAULTS, type Group, type Share, type SharePermission, type User } from '../controlplane/models.ts';
import type { AuthContext } from '../metadata/types.ts';
import { accessTable } from './access.ts';
import { Runtime } from './runtime.ts';

vi.mock('../auth/password.ts', () => ({
  hashPassword: async (p: string) => `test$${p}`,
  verifyPassword: async (p: string, encoded: string) => encoded === `test$${p}`,
  generatePassword: () => 'generated-password',
}));

const share = (patch: Partial<Share> = {}): Share => ({
  ...SHARE_DEFAULTS,
  id: 1,
  name: '/s',
  metadataStore: 'm',
  payloadStore: 'p',
  createdAt: '',
  defaultAccess: 'none',
  ...patch,
});
const user = (username: string, uid: number, enabled = true): User =>
  ({ username, uid, gid: uid, enabled }) as unknown as User;
const group = (name: string, members: string[]): Group => ({ id: name, name, gid: 5000, members, createdAt: '' });
const grant = (principalType: 'user' | 'group', principal: string, access: SharePermission['access']) =>
  ({ share: '/s', principalType, principal, access }) as const;

describe('accessTable: share grants resolved by uid', () => {
  const users = [user('owner', 501), user('reader', 1001), user('member', 1002), user('both', 1003)];
  const groups = [group('family', ['member', 'both']), group('media', ['Both'])];

  it('a user grant wins, the best group grant follows, the default covers everyone else', () => {
    const t = accessTable(share({ defaultAccess: 'read' }), users, groups, [
      grant('user', 'owner', 'write'),
      grant('user', 'reader', 'none'),
      grant('group', 'family', 'read'),
      grant('group', 'media', 'write'),
    ]);
    expect(Object.fromEntries(t.byUid)).toEqual({ 501: 'write', 1001: 'none', 1002: 'read', 1003: 'write' });
    expect(t.others).toBe('read');
  });

  it("an explicit 'none' denies over a group's write and over the default", () => {
    const t = accessTable(share({ defaultAccess: 'write' }), users, groups, [
      grant('user', 'both', 'none'),
      grant('group', 'family', 'write'),
    ]);
    expect(t.byUid.get(1003)).toBe('none');
    expect(t.byUid.get(1002)).toBe('write');
    expect(t.byUid.get(501)).toBe('write');
  });

  it('a read-only share caps every grant and the default at read; a disabled user gets nothing', () => {
    const t = accessTable(
      share({ readOnly: true, defaultAccess: 'write' }),
      [...users, user('gone', 1009, false)],
      groups,
      [grant('user', 'owner', 'write'), grant('user', 'gone', 'write')],
    );
    expect(t.byUid.get(501)).toBe('read');
    expect(t.byUid.get(1009)).toBe('none');
    expect(t.others).toBe('read');
  });

  it("everyone else gets the default, or the share's guest access where that gives more", () => {
    expect(accessTable(share(), [], [], []).others).toBe('none');
    expect(accessTable(share({ guestAccess: 'read' }), [], [], []).others).toBe('read');
    expect(accessTable(share({ defaultAccess: 'write', guestAccess: 'read' }), [], [], []).others).toBe('write');
  });
});

describe('the runtime keeps every share resolver in step with the control plane', () => {
  let dir = '';
  let runtime: Runtime;
  const as = (uid: number): AuthContext => ({ uid, gid: uid, gids: [], clientAddr: '127.0.0.1' });
  /** What the MetadataService lets `uid` do on /s right now: none, read or write. */
  const probe = async (uid: number): Promise<string> => {
    const root = await runtime.metadata.rootHandle('/s');
    try {
      await runtime.metadata.getAttr(as(uid), root);
    } catch (err) {
      if (isDittoError(err, 'ACCESS_DENIED')) return 'none';
      throw err;
    }
    try {
      await runtime.metadata.mkdir(as(uid), root, `probe-${uid}-${Math.random()}`, {});
      return 'write';
    } catch (err) {
      if (isDittoError(err, 'READ_ONLY')) return 'read';
      throw err;
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dittofs-access-'));
    const config = configSchema.parse({ dataDir: dir, controlplane: { database: path.join(dir, 'cp.db') } });
    runtime = await Runtime.open({
      config,
      logger: pino({ level: 'silent' }),
      factories: {},
      adminInitialPassword: 'x',
    });
    await runtime.start();
    await runtime.storeAdmin.createMetadata({ name: 'm', type: 'memory' });
    await runtime.storeAdmin.createPayload({ name: 'p', type: 'memory' });
  });

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies grants, group changes, uid changes and share changes at once', async () => {
    await runtime.shares.create({ name: '/s', metadataStore: 'm', payloadStore: 'p', defaultAccess: 'none' });
    await runtime.users.create({ username: 'ann', password: 'ann-password', uid: 501 });
    await runtime.users.create({ username: 'ben', password: 'ben-password', uid: 1500 });
    expect([await probe(501), await probe(1500), await probe(4242)]).toEqual(['none', 'none', 'none']);

    await runtime.users.setPermission('/s', 'user', 'ann', 'write');
    await runtime.users.createGroup({ name: 'family', members: [] });
    await runtime.users.setPermission('/s', 'group', 'family', 'read');
    expect([await probe(501), await probe(1500)]).toEqual(['write', 'none']);
    await runtime.users.addMember('family', 'ben');
    expect(await probe(1500)).toBe('read');
    await runtime.users.removeMember('family', 'ben');
    expect(await probe(1500)).toBe('none');

    // The grant follows the user to a new uid; the old uid is nobody now.
    await runtime.users.update('ann', { uid: 502 });
    expect([await probe(502), await probe(501)]).toEqual(['write', 'none']);
    await runtime.users.update('ann', { enabled: false });
    expect(await probe(502)).toBe('none');

    await runtime.shares.update('/s', { defaultAccess: 'read' });
    expect([await probe(4242), await probe(1500)]).toEqual(['read', 'read']);
    await runtime.shares.update('/s', { defaultAccess: 'write', readOnly: true });
    expect(await probe(4242)).toBe('read');
    await runtime.shares.update('/s', { readOnly: false });
    await runtime.users.deletePermission('/s', 'group', 'family');
    await runtime.users.setPermission('/s', 'user', 'ben', 'none');
    expect([await probe(4242), await probe(1500)]).toEqual(['write', 'none']);
    await runtime.users.delete('ben');
    expect(await probe(1500)).toBe('write');
  });

  it('a uid already in use is refused with a sentence naming its user', async () => {
    await runtime.users.create({ username: 'cat', password: 'cat-password', uid: 1600 });
    await expect(runtime.users.create({ username: 'dan', password: 'dan-password', uid: 1600 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/uid 1600 is already used by cat/),
    });
    await runtime.users.create({ username: 'dan', password: 'dan-password', uid: 1601 });
    await expect(runtime.users.update('dan', { uid: 1600 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/uid 1600 is already used by cat/),
    });
    expect((await runtime.users.update('dan', { uid: 1601 })).uid).toBe(1601);
  });
});
