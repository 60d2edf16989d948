/**
 * Where a directory is (the change-feed keys and names from its share's root down), read from
 * the store without permission checks: for a protocol that keeps paths of what its clients hold
 * open (SMB) when a change made through another protocol moves one of them into a directory it
 * has not seen. Directories record their parent; the name in it is found by listing the parent.
 */
import { DittoError } from '../../shared/errors.ts';
import { loadDir, type ShareRegistry, type ShareState } from './shares.ts';
import type { FileHandle } from './types.ts';

const PAGE = 1024;

/** The key ChangeFeed reports the changes of directory `fileid` under. */
export function changeKey(share: ShareState, fileid: number): string {
  return `${share.id}:${fileid}`;
}

/** The id of the share a `changeKey` key names a directory of. */
export function shareIdOfChangeKey(key: string): number {
  return Number(key.slice(0, key.indexOf(':')));
}

/** Where a directory is: the `changes` keys of the root and each directory down to it, and their names below the root. */
export interface DirPath {
  keys: string[];
  names: string[];
}

export async function dirPath(reg: ShareRegistry, dirH: FileHandle): Promise<DirPath> {
  const { share, fileid, generation } = reg.resolve(dirH);
  const path: DirPath = { keys: [changeKey(share, fileid)], names: [] };
  let rec = await loadDir(share.store, share, fileid, generation);
  while (rec.parent !== rec.attr.fileid) {
    path.names.unshift(await nameIn(share, rec.parent, rec.attr.fileid));
    path.keys.unshift(changeKey(share, rec.parent));
    rec = await loadDir(share.store, share, rec.parent);
  }
  return path;
}

async function nameIn(share: ShareState, dirId: number, childId: number): Promise<string> {
  for (let cookie = 0; ;) {
    const rows = await share.store.listDir(dirId, cookie, PAGE);
    const hit = rows.find((r) => r.file.attr.fileid === childId);
    if (hit) return hit.name;
    if (rows.length < PAGE) throw new DittoError('STALE_HANDLE', `directory ${childId} is not in ${dirId}`);
    cookie = (rows[rows.length - 1] as { cookie: number }).cookie;
  }
}
