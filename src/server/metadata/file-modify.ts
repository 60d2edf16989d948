/** SETATTR (RFC 1813 §3.3.2): chmod, chown, truncate, utimes. */
import { DittoError, isDittoError } from '../../shared/errors.ts';
import { mutation } from './file-helpers.ts';
import type { Cred } from './identity.ts';
import { W, inGroup, killSuid, mayDoIo, permits, requireOwner, S_ISGID } from './permissions.ts';
import { lockStored, type ShareRegistry, TakenUnstable, withUnstable } from './shares.ts';
import { now, sameTime } from './time.ts';
import {
  type AuthContext,
  DOS_ATTR_MASK,
  DosAttr,
  type FileAttr,
  type FileHandle,
  type SetAttrs,
  FileType,
  type Timespec,
  type Wcc,
} from './types.ts';

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new DittoError('INVALID_ARGUMENT', `bad id ${id}`);
}

/** A time to set: 'server' needs ownership or write permission (EACCES), an explicit time ownership (EPERM). */
function newTime(cred: Cred, attr: FileAttr, value: Timespec | 'server', t: Timespec): Timespec {
  if (value === 'server') {
    if (cred.uid !== attr.uid && !permits(cred, attr, W)) throw new DittoError('ACCESS_DENIED');
    return t;
  }
  requireOwner(cred, attr);
  return value;
}

/**
 * DOS attributes to store (MS-FSCC §2.6), by the owner or a caller with write permission
 * (as Samba's "dos filemode"). A file's READONLY is its mode instead: set, every write bit
 * goes; cleared on a file without the owner's write bit, the owner gets it back.
 */
function applyDos(cred: Cred, attr: FileAttr, dos: number, mode: number): { dos: number; mode: number } {
  requireDosWriter(cred, attr);
  if (attr.type !== FileType.Directory) {
    if (dos & DosAttr.READONLY) mode &= ~0o222;
    else if ((mode & 0o200) === 0) mode |= 0o200;
  }
  return { dos: storedDos(attr.type, dos) | (attr.dosAttributes & DosAttr.SPARSE_FILE), mode };
}

function requireDosWriter(cred: Cred, attr: FileAttr): void {
  if (cred.uid !== attr.uid && !permits(cred, attr, W)) throw new DittoError('ACCESS_DENIED');
}

/** `dos` with SPARSE_FILE set or cleared (MS-FSA §2.1.5.10.29); regular files only. */
function applySparse(cred: Cred, attr: FileAttr, dos: number, sparse: boolean): number {
  if (attr.type !== FileType.Regular) throw new DittoError('INVALID_ARGUMENT', 'only a regular file may be sparse');
  requireDosWriter(cred, attr);
  return sparse ? dos | DosAttr.SPARSE_FILE : dos & ~DosAttr.SPARSE_FILE;
}

/** The DOS attributes FileAttr keeps of those asked for: READONLY of a non-directory is its mode. */
export function storedDos(type: FileType, dos: number): number {
  return dos & (type === FileType.Directory ? DOS_ATTR_MASK : DOS_ATTR_MASK & ~DosAttr.READONLY);
}

/**
 * A chown/chgrp (either id present, even unchanged) as Linux chown_ok / chgrp_ok allow it:
 * root may set any ids; the owner may keep the owner and set the group to the current one or
 * one of their groups; anyone else gets EPERM, even for the values the file already has.
 */
function checkChown(cred: Cred, attr: FileAttr, uid: number | undefined, gid: number | undefined): void {
  if (uid !== undefined) checkId(uid);
  if (gid !== undefined) checkId(gid);
  if (cred.uid === 0) return;
  if (cred.uid !== attr.uid) throw new DittoError('PERMISSION_DENIED', 'not the owner');
  if (uid !== undefined && uid !== attr.uid) {
    throw new DittoError('PERMISSION_DENIED', 'only root may change the owner');
  }
  if (gid !== undefined && gid !== attr.gid && !inGroup(cred, gid)) {
    throw new DittoError('PERMISSION_DENIED', 'not a member of the group');
  }
}

/**
 * `attr` with `attrs` applied at time `t`, after POSIX checks: chmod by the owner (setgid
 * dropped when the caller is outside the file's group); chown/chgrp per checkChown;
 * truncate of regular files with write permission. Truncation by a non-root caller, and
 * any chown of a non-directory (as Linux chown_common and knfsd do, whoever asks and even
 * to the same ids), clear setuid/setgid; an explicit mode in the same call still stands.
 * ctime becomes `t` unless set explicitly (SMB ChangeTime). A size change sets ARCHIVE
 * (MS-FSA §2.1.5.14.4); DOS attributes per applyDos, the sparse flag per applySparse.
 */
export function applySetAttrs(cred: Cred, attr: FileAttr, attrs: SetAttrs, t: Timespec): FileAttr {
  let { mode, uid, gid, size, atime, mtime, btime, dosAttributes } = attr;
  if (attrs.size !== undefined) {
    if (attr.type === FileType.Directory) throw new DittoError('IS_DIRECTORY');
    if (attr.type !== FileType.Regular) throw new DittoError('INVALID_ARGUMENT', 'size of a non-regular file');
    if (!Number.isSafeInteger(attrs.size) || attrs.size < 0) throw new DittoError('INVALID_ARGUMENT', 'bad size');
    if (!mayDoIo(cred, attr, W)) throw new DittoError('ACCESS_DENIED');
    if (attrs.size !== size) {
      size = attrs.size;
      mtime = t;
      dosAttributes |= DosAttr.ARCHIVE;
    }
    if (cred.uid !== 0) mode = killSuid(mode);
  }
  if (attrs.uid !== undefined || attrs.gid !== undefined) {
    checkChown(cred, attr, attrs.uid, attrs.gid);
    uid = attrs.uid ?? uid;
    gid = attrs.gid ?? gid;
    if (attr.type !== FileType.Directory) mode = killSuid(mode);
  }
  if (attrs.mode !== undefined) {
    requireOwner(cred, attr);
    mode = attrs.mode & 0o7777;
    if (cred.uid !== 0 && !inGroup(cred, gid)) mode &= ~S_ISGID;
  }
  if (attrs.dosAttributes !== undefined) {
    ({ dos: dosAttributes, mode } = applyDos(cred, attr, attrs.dosAttributes, mode));
  }
  if (attrs.sparse !== undefined) dosAttributes = applySparse(cred, attr, dosAttributes, attrs.sparse);
  if (attrs.atime !== undefined) atime = newTime(cred, attr, attrs.atime, t);
  if (attrs.mtime !== undefined) mtime = newTime(cred, attr, attrs.mtime, t);
  if (attrs.btime !== undefined) btime = newTime(cred, attr, attrs.btime, t);
  const ctime = attrs.ctime === undefined ? t : newTime(cred, attr, attrs.ctime, t);
  const used = size === attr.size ? attr.used : size;
  return { ...attr, mode, uid, gid, size, used, atime, mtime, ctime, btime, dosAttributes };
}

/** A size change is reflected in the returned attributes; the caller truncates the payload. */
export async function setAttr(
  reg: ShareRegistry,
  auth: AuthContext,
  h: FileHandle,
  attrs: SetAttrs,
  guardCtime: Timespec | undefined,
): Promise<Wcc> {
  const { share, fileid, generation, cred } = mutation(reg, auth, h);
  const taken = new TakenUnstable(share);
  try {
    return await share.store.transaction(async (tx) => {
      const stored = await lockStored(tx, share, fileid, generation);
      // Earlier unstable writes are stored with this change (a truncation or utimes applies after them).
      const rec = withUnstable(stored, taken.take(fileid));
      if (guardCtime !== undefined && !sameTime(guardCtime, rec.attr.ctime)) throw new DittoError('NOT_SYNC');
      const attr = applySetAttrs(cred, rec.attr, attrs, now());
      await tx.putFile({ ...rec, attr });
      return { before: rec.attr, after: attr };
    });
  } catch (err) {
    if (!isDittoError(err, 'STALE_HANDLE')) taken.putBack();
    throw err;
  }
}
