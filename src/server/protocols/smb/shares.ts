/** How shares are named over SMB: the share name without its leading slash, case-insensitive. */
import type { ShareInfo, SharesView } from '../../runtime/types.ts';

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
