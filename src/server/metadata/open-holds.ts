/**
 * Files held open (SMB opens): a removal or a rename that takes a held file's last name keeps
 * its record, with no link, and so its content, until its last hold goes — as POSIX keeps an
 * unlinked open inode, and Samba on Linux lets its opens read on. The name is gone at once
 * (no listing or lookup finds it); the handle still works. Whoever frees the file — the
 * removal, or the last release — deletes its payload.
 *
 * Only a store that can find such records again (`MetadataStore.orphans`) keeps them: at start
 * each share drops the ones a crash left behind (purgeOrphans). Elsewhere a removal deletes the
 * record as before.
 */
import type { ShareState } from './shares.ts';
import { type FileAttr, FileType } from './types.ts';

export function hold(share: ShareState, fileid: number): void {
  share.holds.set(fileid, (share.holds.get(fileid) ?? 0) + 1);
}

/** Whether a removal taking the last name of `attr`'s file keeps its record (nlink 0) for its holds. */
export function keepsUnlinked(share: ShareState, attr: FileAttr): boolean {
  return attr.type !== FileType.Directory && share.holds.has(attr.fileid) && share.store.orphans !== undefined;
}

/**
 * After a removal's transaction committed, with `after` the file's attributes then and `kept`
 * what keepsUnlinked decided: the file when it is gone for good (its payload to delete). A hold
 * released while the transaction ran frees the kept record now.
 */
export async function settleUnlinked(share: ShareState, after: FileAttr, kept: boolean): Promise<FileAttr | undefined> {
  if (after.nlink > 0) return undefined;
  const id = after.fileid;
  if (!kept) {
    share.unstable.delete(id);
    return after;
  }
  if (share.holds.has(id)) {
    share.orphans.add(id);
    return undefined;
  }
  return dropOrphan(share, id);
}

/** Ends one hold; the file when it was the last hold of a file with no name left (now deleted). */
export async function release(share: ShareState, fileid: number): Promise<FileAttr | undefined> {
  const left = (share.holds.get(fileid) ?? 0) - 1;
  if (left > 0) {
    share.holds.set(fileid, left);
    return undefined;
  }
  share.holds.delete(fileid);
  return share.orphans.delete(fileid) ? dropOrphan(share, fileid) : undefined;
}

/** The share's records with no name that no hold of this process keeps (a crash left them): deleted. */
export async function purgeOrphans(share: ShareState): Promise<FileAttr[]> {
  const found = (await share.store.orphans?.()) ?? [];
  const freed: FileAttr[] = [];
  for (const rec of found) {
    if (rec.root !== share.rootId || share.holds.has(rec.attr.fileid)) continue;
    const attr = await dropOrphan(share, rec.attr.fileid);
    if (attr !== undefined) freed.push(attr);
  }
  return freed;
}

async function dropOrphan(share: ShareState, fileid: number): Promise<FileAttr | undefined> {
  const attr = await share.store.transaction(async (tx) => {
    const [rec] = await tx.lockFiles([fileid]);
    if (rec === undefined || rec.attr.nlink > 0) return undefined;
    await tx.deleteFile(fileid);
    return rec.attr;
  });
  share.unstable.delete(fileid);
  return attr;
}
