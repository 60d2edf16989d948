/**
 * The share wizard's "who may use this share" presets as real grants: what the share gets
 * (its default and guest access, allowed networks) and which permission entries are set.
 * One definition for the wizard and the tests that check every preset over NFS.
 */
import type { PermissionEntry, ShareAccess } from './schemas.ts';

export const ACCESS_PRESETS = ['me', 'choose', 'everyone-read', 'guest-write'] as const;
export type AccessPreset = (typeof ACCESS_PRESETS)[number];

export interface PresetInput {
  /** The signed-in user creating the share. */
  owner: string;
  /** "People I choose": the entries picked in the grid. */
  chosen: readonly PermissionEntry[];
  /** This computer's networks ("everyone on my network"). */
  networks: readonly string[];
}

export interface PresetGrants {
  share: { defaultAccess: ShareAccess; guestAccess: ShareAccess; allowedNetworks: string[] };
  permissions: PermissionEntry[];
  /** Guests (no password) are part of the preset: the server's guest account must be on. */
  needsGuest: boolean;
}

export function presetGrants(preset: AccessPreset, input: PresetInput): PresetGrants {
  const owner: PermissionEntry = { principalType: 'user', principal: input.owner, access: 'write' };
  switch (preset) {
    case 'me':
      return {
        share: { defaultAccess: 'none', guestAccess: 'none', allowedNetworks: [] },
        permissions: [owner],
        needsGuest: false,
      };
    case 'choose':
      return {
        share: { defaultAccess: 'none', guestAccess: 'none', allowedNetworks: [] },
        permissions: [...input.chosen],
        needsGuest: false,
      };
    case 'everyone-read':
      return {
        share: { defaultAccess: 'read', guestAccess: 'read', allowedNetworks: [...input.networks] },
        permissions: [owner],
        needsGuest: true,
      };
    case 'guest-write':
      return {
        share: { defaultAccess: 'write', guestAccess: 'write', allowedNetworks: [] },
        permissions: [owner],
        needsGuest: true,
      };
  }
}
