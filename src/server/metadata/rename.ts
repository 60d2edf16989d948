/** RENAME (RFC 1813 §3.3.14): atomic, replacing a compatible target (POSIX rename(2)). */
import { DittoError } from '../../shared/errors.ts';
import { dropLink } from './file-remove.ts';
import { settleUnlinked } from './open-holds.ts';
import { dirChanged, mutation } from './file-helpers.ts';
import { checkName, isDotName } from './names.ts';
import { W, X, checkSticky, requireAccess } from './permissions.ts';
import { loadFile, lockLoad, requireDirectory, type LockRef, type ShareRegistry, type ShareState } from './shares.ts';
import type { FileRecord, StoreTx } from './store.ts';
import { now } from './time.ts';
import { type AuthContext, type FileAttr, type FileHandle, FileType, type NewNameOptions, type Wcc } from './types.ts';

interface RenameResult {
  fromWcc: Wcc;
  toWcc: Wcc;
  replaced: FileAttr | undefined;
  /** The replaced entry's name: another spelling of toName when a case variant was replaced. */
  replacedName?: string;
  /** The replaced file when it is gone for good: its payload is the caller's to delete. */
  freed?: FileAttr;
}

/**
 * The ids from directory `dirId` up to the share's root, read unlocked. Only a rename between
 * directories changes them, and it holds the tree lock, so under that lock they hold still.
 */
async function ancestry(tx: StoreTx, share: ShareState, dirId: number): Promise<number[]> {
  const ids = [dirId];
  let rec = await loadFile(tx, share, dirId);
  while (rec.parent !== rec.attr.fileid) {
    ids.push(rec.parent);
    rec = await loadFile(tx, share, rec.parent);
  }
  return ids;
}

/**
 * Locks the two directories of a move between directories, an ancestor before its descendant
 * (as Linux's lock_rename; every other operation locks a parent before its child, so no
 * cycle forms), unrelated ones in fileid order. Answers the records and `to`'s ancestors.
 */
async function lockDirectoryPair(
  tx: StoreTx,
  share: ShareState,
  from: LockRef,
  to: LockRef,
): Promise<{ src: FileRecord; dst: FileRecord; dstAncestry: number[] }> {
  await tx.lockTree();
  const dstAncestry = await ancestry(tx, share, to.fileid);
  if (dstAncestry.includes(from.fileid)) {
    const [src] = await lockLoad(tx, share, from);
    const [dst] = await lockLoad(tx, share, to);
    return { src, dst, dstAncestry };
  }
  if ((await ancestry(tx, share, from.fileid)).includes(to.fileid)) {
    const [dst] = await lockLoad(tx, share, to);
    const [src] = await lockLoad(tx, share, from);
    return { src, dst, dstAncestry };
  }
  const [src, dst] = await lockLoad(tx, share, from, to);
  return { src, dst, dstAncestry };
}

/**
 * With `names.caseless`, the entry of `dir` (locked) under another spelling of `name` (equal
 * under foldName) that links a file other than `movedId`: the rename would leave two names a
 * case-insensitive client cannot tell apart, so it is EXISTS, or with `names.replaceCaseVariant`
 * the target replaced (as Windows and Samba, the new entry then takes `name`'s spelling). A
 * case-only rename of `movedId` passes.
 */
async function caseVariant(
  tx: StoreTx,
  dirId: number,
  name: string,
  movedId: number,
  names: NewNameOptions,
): Promise<{ name: string; id: number } | undefined> {
  if (!names.caseless) return undefined;
  const stored = await tx.findCaseless(dirId, name);
  const id = stored === undefined ? undefined : await tx.lookup(dirId, stored);
  if (stored === undefined || id === undefined || id === movedId) return undefined;
  if (!names.replaceCaseVariant) throw new DittoError('EXISTS', name);
  return { name: stored, id };
}

export async function rename(
  reg: ShareRegistry,
  auth: AuthContext,
  fromH: FileHandle,
  fromName: string,
  toH: FileHandle,
  toName: string,
  names: NewNameOptions = {},
): Promise<RenameResult> {
  const { share, fileid: fromId, generation: fromGeneration, cred } = mutation(reg, auth, fromH);
  const to = reg.resolve(toH);
  if (to.share !== share) throw new DittoError('CROSS_DEVICE');
  checkName(fromName);
  checkName(toName);
  if (isDotName(fromName) || isDotName(toName)) throw new DittoError('INVALID_ARGUMENT', 'cannot rename . or ..');
  const from = { fileid: fromId, generation: fromGeneration };
  const crossDir = to.fileid !== fromId;
  let kept = false;
  const res = await share.store.transaction(async (tx): Promise<RenameResult> => {
    kept = false;
    // Locks in order (docs/cluster.md): the tree for a move between directories (its loop
    // check sees every other move), both directories, then the entries' files; the names
    // are read after the directories' locks, the files after theirs.
    const dirs: { src: FileRecord; dst?: FileRecord; dstAncestry: readonly number[] } = crossDir
      ? await lockDirectoryPair(tx, share, from, to)
      : { src: (await lockLoad(tx, share, from))[0], dstAncestry: [] };
    const [movedId, exactId] = await Promise.all([tx.lookup(fromId, fromName), tx.lookup(to.fileid, toName)]);
    const src = requireDirectory(dirs.src);
    const dst = requireDirectory(dirs.dst ?? src);
    requireAccess(cred, src.attr, X);
    requireAccess(cred, dst.attr, X);
    if (movedId === undefined) throw new DittoError('NOT_FOUND', fromName);
    const variant = exactId === undefined ? await caseVariant(tx, to.fileid, toName, movedId, names) : undefined;
    const [targetName, targetId] = variant ? [variant.name, variant.id] : [toName, exactId];
    // A directory cannot move into itself: refused before its lock, which would come after
    // its descendant's.
    if (dirs.dstAncestry.includes(movedId))
      throw new DittoError('INVALID_ARGUMENT', 'cannot move a directory into itself');
    const other = targetId === undefined || targetId === movedId ? [] : [{ fileid: targetId }];
    const [moved, target] = await lockLoad(tx, share, { fileid: movedId }, ...other);
    // POSIX: when both names are links to the same file, rename does nothing.
    if (targetId === movedId) {
      return {
        fromWcc: { before: src.attr, after: src.attr },
        toWcc: { before: dst.attr, after: dst.attr },
        replaced: undefined,
      };
    }
    requireAccess(cred, src.attr, W | X);
    requireAccess(cred, dst.attr, W | X);
    checkSticky(cred, src.attr, moved.attr);
    const isDir = moved.attr.type === FileType.Directory;
    if (isDir && crossDir) {
      // Moving a directory rewrites its '..', which takes write permission on it (as Linux).
      requireAccess(cred, moved.attr, W);
    }
    const targetIsDir = target?.attr.type === FileType.Directory;
    if (target !== undefined) {
      if (isDir && !targetIsDir) throw new DittoError('NOT_DIRECTORY', toName);
      if (!isDir && targetIsDir) throw new DittoError('IS_DIRECTORY', toName);
      checkSticky(cred, dst.attr, target.attr);
      if (targetIsDir && (await tx.hasEntries(target.attr.fileid))) throw new DittoError('NOT_EMPTY', toName);
    }

    const t = now();
    let replaced: FileAttr | undefined;
    if (target !== undefined) {
      await tx.removeEntry(to.fileid, targetName);
      ({ attr: replaced, kept } = await dropLink(tx, share, target, t));
    }
    await tx.removeEntry(fromId, fromName);
    await tx.addEntry(to.fileid, toName, movedId);
    await tx.putFile({ ...moved, parent: isDir ? to.fileid : moved.parent, attr: { ...moved.attr, ctime: t } });
    // Link counts: a replaced directory leaves the target dir; a moved one changes parents.
    const dstDelta = (targetIsDir ? -1 : 0) + (isDir && crossDir ? 1 : 0);
    const dstAfter = dirChanged(dst, t, dstDelta);
    await tx.putFile(dstAfter);
    let srcAfter = dstAfter;
    if (crossDir) {
      srcAfter = dirChanged(src, t, isDir ? -1 : 0);
      await tx.putFile(srcAfter);
    }
    return {
      fromWcc: { before: src.attr, after: srcAfter.attr },
      toWcc: { before: dst.attr, after: dstAfter.attr },
      replaced,
      replacedName: target === undefined ? undefined : targetName,
    };
  });
  const freed = res.replaced && (await settleUnlinked(share, res.replaced, kept));
  return { ...res, freed };
}
