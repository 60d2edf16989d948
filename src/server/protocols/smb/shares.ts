/** How shares are named over SMB: the share name without its leading slash, case-insensitive. */
import type { ShareInfo, SharesView } from '../../runtime/types.ts';

export function smbShareName(share: ShareInfo): string {
  return share.name.replace(/^\/+/, '');
}

export function findSmbShare(shares: SharesView, name: string): ShareInfo | undefined {
  const wanted = name.toLowerCase();
  return shares.list().find((s) => smbShareName(s).toLowerCase() === wanted);
}
