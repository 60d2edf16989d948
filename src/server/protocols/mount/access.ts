/** Export rules a client must pass to mount a share or use its handles. */
import type { ShareInfo, SharesView } from '../../runtime/types.ts';
import { CidrList } from './cidr.ts';

/** Parsed allowedNetworks lists by content; small, as there are few distinct lists. */
const parsed = new Map<string, CidrList>();
const MAX_PARSED = 256;

export function clientAllowed(share: ShareInfo, clientAddr: string): boolean {
  const list = share.export.allowedNetworks;
  if (list.length === 0) return true;
  const key = list.join('\n');
  let cidrs = parsed.get(key);
  if (!cidrs) {
    if (parsed.size >= MAX_PARSED) parsed.clear();
    cidrs = CidrList.parse(list);
    parsed.set(key, cidrs);
  }
  return cidrs.allows(clientAddr);
}

/** The share's path form as mounted by clients: one leading slash, no trailing one. */
export function exportPath(name: string): string {
  return '/' + name.replace(/^\/+|\/+$/g, '');
}

/** The enabled share a MOUNT dirpath names, if any. */
export function findExport(shares: SharesView, dirpath: string): ShareInfo | undefined {
  const path = exportPath(dirpath);
  return shares.list().find((s) => s.enabled && exportPath(s.name) === path);
}
