/** Export rules a client must pass to mount a share or use its handles. */
import type { ShareInfo, SharesView } from '../../runtime/types.ts';
import { CidrList } from './cidr.ts';

/** Parsed allowedNetworks lists by content; small, as there are few distinct lists. */
const parsed = new Map<string, CidrList>();
const MAX_PARSED = 256;

/** A CIDR list parsed once per distinct content (the lists are checked on every mount / tree connect). */
export function cidrList(list: readonly string[]): CidrList {
  const key = list.join('\n');
  let cidrs = parsed.get(key);
  if (!cidrs) {
    if (parsed.size >= MAX_PARSED) parsed.clear();
    cidrs = CidrList.parse(list);
    parsed.set(key, cidrs);
  }
  return cidrs;
}

export function clientAllowed(share: ShareInfo, clientAddr: string): boolean {
  const list = share.export.allowedNetworks;
  return list.length === 0 || cidrList(list).allows(clientAddr);
}

/** The share's path form as mounted by clients: one leading slash, no trailing one. */
export function exportPath(name: string): string {
  return '/' + name.replace(/^\/+|\/+$/g, '');
}

/** A MOUNT dirpath resolved to an export: the share, and the directory names below its root. */
export interface ExportMatch {
  share: ShareInfo;
  below: string[];
}

/** The enabled share a MOUNT dirpath names or lies inside (the longest match), if any. */
export function findExport(shares: SharesView, dirpath: string): ExportMatch | undefined {
  const parts = segments(dirpath);
  let best: { share: ShareInfo; depth: number } | undefined;
  for (const share of shares.list()) {
    if (!share.enabled) continue;
    const own = segments(share.name);
    if (own.length > parts.length || (best && own.length <= best.depth)) continue;
    if (own.every((p, i) => p === parts[i])) best = { share, depth: own.length };
  }
  return best && { share: best.share, below: parts.slice(best.depth) };
}

function segments(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}
