/** REMOVE and RMDIR (RFC 1813 §3.3.12, §3.3.13). */
import { DittoError } from '../../shared/errors.ts';
import { dirChanged, mutation } from './file-helpers.ts';
import { checkName, isDotName } from './names.ts';
import { W, X, checkSticky, requireAccess } from './permissions.ts';
import { keepsUnlinked, settleUnlinked } from './open-holds.ts';
import { lockLoad, requireDirectory, type ShareRegistry, type ShareState } from './shares.ts';
import type { FileRecord, StoreTx } from './store.ts';
import { now } from './time.ts';
import { type AuthContext, type FileAttr, type FileHandle, FileType, type Timespec, type Wcc } from './types.ts';

/**
 * Unlinks `name` from the directory: a non-directory loses one link (its record goes at
 * zero links unless held open, open-holds.ts), an empty directory goes and its parent loses
 * the '..' link.
 */
async function unlink(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  name: string,
  wantDir: boolean,
): Promise<{ dirWcc: Wcc; removed: FileAttr; kept: boolean }> {
  const { share, fileid: dirId, generation, cred } = mutation(reg, auth, dirH);
  checkName(name);
  if (isDotName(name)) throw new DittoError('INVALID_ARGUMENT', `cannot remove ${name}`);
  return share.store.transaction(async (tx) => {
    // The directory locked, then its entry read; then the file locked (docs/cluster.md).
    const [[dir], childId] = await Promise.all([
      lockLoad(tx, share, { fileid: dirId, generation }),
      tx.lookup(dirId, name),
    ]);
    requireAccess(cred, requireDirectory(dir).attr, X);
    if (childId === undefined) throw new DittoError('NOT_FOUND', name);
    const [child] = await lockLoad(tx, share, { fileid: childId });
    const isDir = child.attr.type === FileType.Directory;
    if (isDir && !wantDir) throw new DittoError('IS_DIRECTORY', name);
    if (!isDir && wantDir) throw new DittoError('NOT_DIRECTORY', name);
    requireAccess(cred, dir.attr, W | X);
    checkSticky(cred, dir.attr, child.attr);
    if (isDir && (await tx.hasEntries(childId))) throw new DittoError('NOT_EMPTY', name);
    const t = now();
    await tx.removeEntry(dirId, name);
    const { attr: removed, kept } = await dropLink(tx, share, child, t);
    const after = dirChanged(dir, t, isDir ? -1 : 0);
    await tx.putFile(after);
    return { dirWcc: { before: dir.attr, after: after.attr }, removed, kept };
  });
}

/**
 * One directory entry fewer for `rec`: a directory or a last link deletes the record, unless
 * an open holds the file (`kept`: the record stays with no link, open-holds.ts).
 */
export async function dropLink(
  tx: StoreTx,
  share: ShareState,
  rec: FileRecord,
  t: Timespec,
): Promise<{ attr: FileAttr; kept: boolean }> {
  const nlink = rec.attr.type === FileType.Directory ? 0 : rec.attr.nlink - 1;
  const attr = { ...rec.attr, nlink, ctime: t };
  const kept = nlink === 0 && keepsUnlinked(share, attr);
  if (nlink === 0 && !kept) await tx.deleteFile(rec.attr.fileid);
  else await tx.putFile({ ...rec, attr });
  return { attr, kept };
}

/** `freed`: the file is gone for good, and its payload the caller's to delete. */
export async function remove(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  name: string,
): Promise<{ dirWcc: Wcc; removed: FileAttr; freed: FileAttr | undefined }> {
  const { dirWcc, removed, kept } = await unlink(reg, auth, dirH, name, false);
  const freed = await settleUnlinked(reg.resolve(dirH).share, removed, kept);
  return { dirWcc, removed, freed };
}

export async function rmdir(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  name: string,
): Promise<{ dirWcc: Wcc }> {
  const { dirWcc } = await unlink(reg, auth, dirH, name, true);
  return { dirWcc };
}
