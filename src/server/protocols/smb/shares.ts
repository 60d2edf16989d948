/** How shares are named over SMB (the share name without its leading slash, case-insensitive) and the SMB rules of each. */
import type { ShareInfo, SharesView, SmbShareRules } from '../../runtime/types.ts';
import { cidrList } from '../mount/access.ts';

export function smbShareName(share: ShareInfo): string {
  return share.name.replace(/^\/+/, '');
}

/** The shares SMB serves now: enabled, and not switched off for SMB. */
export function smbShares(shares: SharesView): ShareInfo[] {
  return shares.list().filter((s) => s.enabled && s.smb !== false);
}

export function findSmbShare(shares: SharesView, name: string): ShareInfo | undefined {
  const wanted = name.toLowerCase();
  return smbShares(shares).find((s) => smbShareName(s).toLowerCase() === wanted);
}

/** A share's SMB rules when its ShareInfo carries none (as the control plane's share defaults). */
export const SMB_SHARE_DEFAULTS: SmbShareRules = {
  browsable: true,
  encrypt: false,
  hostsAllow: [],
  hostsDeny: [],
  guestAccess: 'none',
};

export function smbRulesOf(share: ShareInfo): SmbShareRules {
  return share.smbRules ?? SMB_SHARE_DEFAULTS;
}

/**
 * The share's SMB host lists (as Samba's `hosts allow` / `hosts deny`): a client in
 * hostsDeny is refused whatever hostsAllow says; an empty hostsAllow admits everyone else.
 * The export's allowedNetworks apply as well (clientAllowed).
 */
export function smbHostAllowed(rules: SmbShareRules, clientAddr: string): boolean {
  // CidrList.allows means "matches an entry" for a non-empty list.
  if (rules.hostsDeny.length > 0 && cidrList(rules.hostsDeny).allows(clientAddr)) return false;
  return rules.hostsAllow.length === 0 || cidrList(rules.hostsAllow).allows(clientAddr);
}
