import { describe, expect, it } from 'vitest';
import { effectiveAccess, guestAccess, othersAccess, type AccessShare } from './access.ts';
import type { PermissionEntry } from './schemas.ts';

const share = { readOnly: false, guestAccess: 'none', defaultAccess: 'none' } as const;
const alice = { username: 'alice', enabled: true, groups: ['family', 'media'] };
const u = (principal: string, access: PermissionEntry['access']): PermissionEntry => ({
  principalType: 'user',
  principal,
  access,
});
const g = (principal: string, access: PermissionEntry['access']): PermissionEntry => ({
  principalType: 'group',
  principal,
  access,
});

describe('effectiveAccess', () => {
  it('the explicit user entry wins over every group, even as a deny', () => {
    expect(effectiveAccess(share, alice, [g('family', 'write'), u('alice', 'read')])).toEqual({
      access: 'read',
      source: 'user',
      readOnlyShare: false,
    });
    expect(effectiveAccess(share, alice, [g('family', 'write'), u('ALICE', 'none')])).toMatchObject({
      access: 'none',
      source: 'user',
    });
  });

  it('without a user entry the most permissive group decides', () => {
    expect(
      effectiveAccess(share, alice, [g('family', 'read'), g('media', 'write'), g('other', 'write')]),
    ).toMatchObject({
      access: 'write',
      source: 'group:media',
    });
    expect(effectiveAccess(share, alice, [g('family', 'none'), g('media', 'read')])).toMatchObject({
      access: 'read',
      source: 'group:media',
    });
    expect(effectiveAccess(share, alice, [g('Family', 'none')])).toMatchObject({
      access: 'none',
      source: 'group:Family',
    });
  });

  it('entries of other users and groups do not apply', () => {
    expect(effectiveAccess(share, alice, [u('bob', 'write'), g('staff', 'write')])).toEqual({
      access: 'none',
      source: 'default',
      readOnlyShare: false,
    });
  });

  it("falls back to the share's default access, or its guest access where that gives more", () => {
    expect(effectiveAccess({ ...share, guestAccess: 'read' }, alice, [])).toMatchObject({
      access: 'read',
      source: 'guest',
    });
    expect(effectiveAccess(share, alice, [])).toMatchObject({ access: 'none', source: 'default' });
    expect(effectiveAccess({ ...share, defaultAccess: 'write', guestAccess: 'read' }, alice, [])).toMatchObject({
      access: 'write',
      source: 'default',
    });
    expect(effectiveAccess({ ...share, defaultAccess: 'read' }, alice, [])).toMatchObject({
      access: 'read',
      source: 'default',
    });
  });

  it('a user or group entry wins over the default, in both directions', () => {
    const open = { ...share, defaultAccess: 'write' } as const;
    expect(effectiveAccess(open, alice, [u('alice', 'read')])).toMatchObject({ access: 'read', source: 'user' });
    expect(effectiveAccess(open, alice, [g('media', 'none')])).toMatchObject({ access: 'none', source: 'group:media' });
    expect(effectiveAccess(share, alice, [g('media', 'read')])).toMatchObject({ access: 'read' });
  });

  it('callers who are no user get what the share gives everyone else, capped by read-only', () => {
    expect(othersAccess(share)).toEqual({ access: 'none', source: 'default', readOnlyShare: false });
    expect(othersAccess({ ...share, defaultAccess: 'read' })).toMatchObject({ access: 'read', source: 'default' });
    expect(othersAccess({ ...share, guestAccess: 'write' })).toMatchObject({ access: 'write', source: 'guest' });
    expect(othersAccess({ ...share, defaultAccess: 'write', readOnly: true })).toEqual({
      access: 'read',
      source: 'default',
      readOnlyShare: true,
    });
  });

  it('guest sessions get the guest access alone (not the default), capped by read-only', () => {
    const openToUsers: AccessShare = { ...share, defaultAccess: 'write' };
    expect(guestAccess(openToUsers)).toMatchObject({ access: 'none', source: 'guest' });
    expect(guestAccess({ ...share, guestAccess: 'read' })).toMatchObject({ access: 'read' });
    expect(guestAccess({ ...share, guestAccess: 'write', readOnly: true })).toEqual({
      access: 'read',
      source: 'guest',
      readOnlyShare: true,
    });
  });

  it('a read-only share lowers write to read', () => {
    expect(effectiveAccess({ ...share, readOnly: true }, alice, [u('alice', 'write')])).toEqual({
      access: 'read',
      source: 'user',
      readOnlyShare: true,
    });
    expect(effectiveAccess({ ...share, readOnly: true }, alice, [u('alice', 'read')])).toMatchObject({
      readOnlyShare: false,
    });
  });

  it('a disabled user has no access whatever the entries say', () => {
    expect(effectiveAccess(share, { ...alice, enabled: false }, [u('alice', 'write')])).toMatchObject({
      access: 'none',
      source: 'disabled',
    });
  });
});
