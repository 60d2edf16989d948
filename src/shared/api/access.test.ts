import { describe, expect, it } from 'vitest';
import { effectiveAccess } from './access.ts';
import type { PermissionEntry } from './schemas.ts';

const share = { readOnly: false, guestAccess: 'none' as const };
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

  it("falls back to the share's guest access, then none", () => {
    expect(effectiveAccess({ ...share, guestAccess: 'read' }, alice, [])).toMatchObject({
      access: 'read',
      source: 'guest',
    });
    expect(effectiveAccess(share, alice, [])).toMatchObject({ access: 'none', source: 'default' });
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
