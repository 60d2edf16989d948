/** Metadata side of READ and WRITE (RFC 1813 §3.3.6, §3.3.7); the payload is the PayloadService's. */
import { DittoError } from '../../shared/errors.ts';
import { mutation } from './file-helpers.ts';
import { squash } from './identity.ts';
import { R, W, killSuid, mayDoIo } from './permissions.ts';
import { type PendingWrite, loadFile, type ShareRegistry, type ShareState } from './shares.ts';
import type { FileRecord, StoreTx } from './store.ts';
import { now } from './time.ts';
import { type AuthContext, type FileAttr, type FileHandle, FileType, type Wcc } from './types.ts';

function requireRegular(rec: FileRecord): void {
  if (rec.attr.type === FileType.Directory) throw new DittoError('IS_DIRECTORY');
  if (rec.attr.type !== FileType.Regular) throw new DittoError('INVALID_ARGUMENT', 'not a regular file');
}

export async function prepareRead(reg: ShareRegistry, auth: AuthContext, h: FileHandle): Promise<FileAttr> {
  const { share, fileid } = reg.resolve(h);
  const rec = await loadFile(share.store, share, fileid);
  requireRegular(rec);
  if (!mayDoIo(squash(auth, share.options), rec.attr, R)) throw new DittoError('ACCESS_DENIED');
  return rec.attr;
}

export async function prepareWrite(reg: ShareRegistry, auth: AuthContext, h: FileHandle): Promise<FileAttr> {
  const { share, fileid, cred } = mutation(reg, auth, h);
  const rec = await loadFile(share.store, share, fileid);
  requireRegular(rec);
  if (!mayDoIo(cred, rec.attr, W)) throw new DittoError('ACCESS_DENIED');
  return rec.attr;
}

/**
 * Grows the size to `end`, sets mtime/ctime and (for a non-root writer) clears setuid/setgid.
 * Calls for one file that arrive before its update starts are merged into one store write,
 * and their callers share its result; the store's group commit batches across files.
 */
export async function commitWrite(reg: ShareRegistry, auth: AuthContext, h: FileHandle, end: number): Promise<Wcc> {
  const { share, fileid, cred } = mutation(reg, auth, h);
  if (!Number.isSafeInteger(end) || end < 0) throw new DittoError('INVALID_ARGUMENT', 'bad write end');
  const killSuidBits = cred.uid !== 0;
  const pending = share.pendingWrites.get(fileid);
  if (pending !== undefined) {
    if (end > pending.end) pending.end = end;
    pending.killSuid ||= killSuidBits;
    return pending.result;
  }
  // Registered before the transaction body can run, which takes it out again.
  const p = { end, killSuid: killSuidBits } as PendingWrite;
  share.pendingWrites.set(fileid, p);
  p.result = share.store.transaction((tx) => {
    if (share.pendingWrites.get(fileid) === p) share.pendingWrites.delete(fileid);
    return applyWrite(tx, share, fileid, p);
  });
  return p.result;
}

async function applyWrite(tx: StoreTx, share: ShareState, fileid: number, p: PendingWrite): Promise<Wcc> {
  const rec = await loadFile(tx, share, fileid);
  requireRegular(rec);
  const before = rec.attr;
  const t = now();
  const size = Math.max(before.size, p.end);
  const mode = p.killSuid ? killSuid(before.mode) : before.mode;
  const attr: FileAttr = { ...before, size, used: Math.max(before.used, size), mode, mtime: t, ctime: t };
  await tx.putFile({ ...rec, attr });
  return { before, after: attr };
}
