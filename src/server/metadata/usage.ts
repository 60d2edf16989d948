/**
 * How much a share holds: the sizes of its regular files (a file with several links
 * counted once), walked through the store's directory listings. The walk stops after a
 * bounded number of entries so a huge tree costs a bounded amount of work; the result then
 * says it is a lower bound.
 */
import { withUnstable, type ShareState } from './shares.ts';
import { FileType } from './types.ts';

export interface ShareUsage {
  bytes: number;
  files: number;
  /** false when the walk stopped at the entry limit: the share holds at least this much. */
  complete: boolean;
}

const PAGE = 1000;

export async function measureShare(share: ShareState, maxEntries: number): Promise<ShareUsage> {
  const dirs = [share.rootId];
  const linked = new Set<number>();
  let bytes = 0;
  let files = 0;
  let entries = 0;
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    for (let cookie = 0; ;) {
      const page = await share.store.listDir(dir, cookie, PAGE);
      for (const e of page) {
        if (++entries > maxEntries) return { bytes, files, complete: false };
        const attr = withUnstable(e.file, share.unstable.get(e.file.attr.fileid)).attr;
        if (attr.type === FileType.Directory) dirs.push(attr.fileid);
        else if (attr.type === FileType.Regular && !(attr.nlink > 1 && linked.has(attr.fileid))) {
          if (attr.nlink > 1) linked.add(attr.fileid);
          bytes += attr.size;
          files++;
        }
      }
      if (page.length < PAGE) break;
      cookie = page[page.length - 1]!.cookie;
    }
  }
  return { bytes, files, complete: true };
}
