/** CREATE, MKDIR, SYMLINK, MKNOD, LINK (RFC 1813 §3.3.8-§3.3.11, §3.3.15). */
import { DittoError } from '../../shared/errors.ts';
import { applySetAttrs, storedDos } from './file-modify.ts';
import { LINK_MAX, dirChanged, entryOf, mutation, newRecord } from './file-helpers.ts';
import type { Cred } from './identity.ts';
import { checkName, isDotName } from './names.ts';
import { W, X, requireAccess } from './permissions.ts';
import {
  type HandleRef,
  lockLoad,
  requireDirectory,
  type ShareRegistry,
  type ShareState,
  TakenUnstable,
  withUnstable,
} from './shares.ts';
import { createEntry, type FileRecord, type StoreTx, type TxOptions } from './store.ts';
import { now } from './time.ts';
import {
  type AuthContext,
  type CreateMode,
  type Entry,
  type FileAttr,
  type FileHandle,
  FileType,
  type NewNameOptions,
  type SetAttrs,
  type Timespec,
  type Wcc,
} from './types.ts';

type Created = Entry & { dirWcc: Wcc };

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
/** PATH_MAX in bytes, for symlink targets. */
const PATH_MAX = 4096;

/** Start of every creation: writable share, valid new name ('.' and '..' always exist). */
function creation(reg: ShareRegistry, auth: AuthContext, dirH: FileHandle, name: string) {
  const m = mutation(reg, auth, dirH);
  checkName(name);
  if (isDotName(name)) throw new DittoError('EXISTS', name);
  return m;
}

/**
 * The directory a handle names, locked (search permission checked, as a lookup would), and
 * the file `name` names in it now: read after the lock, as entries change only under it.
 */
async function openDir(tx: StoreTx, cred: Cred, ref: HandleRef, name: string) {
  const [[dir], read] = await Promise.all([lockLoad(tx, ref.share, ref), tx.dirAndEntry(ref.fileid, name)]);
  requireAccess(cred, requireDirectory(dir).attr, X);
  const existing = read.file && withUnstable(read.file, ref.share.unstable.get(read.file.attr.fileid));
  return { dir, existing };
}

/** EXISTS when `names.caseless` and `dir` (locked) holds a name equal to `name` under foldName. */
async function requireNoCaselessMatch(
  tx: StoreTx,
  dir: FileRecord,
  name: string,
  names: NewNameOptions,
): Promise<void> {
  if (names.caseless && (await tx.findCaseless(dir.attr.fileid, name)) !== undefined) {
    throw new DittoError('EXISTS', name);
  }
}

/** Stores `rec` under `name`: write permission on the directory, its mtime/ctime and link count. */
async function insert(
  tx: StoreTx,
  share: ShareState,
  cred: Cred,
  dir: FileRecord,
  name: string,
  rec: FileRecord,
  t: Timespec,
): Promise<Created> {
  requireAccess(cred, dir.attr, W | X);
  const after = dirChanged(dir, t, rec.attr.type === FileType.Directory ? 1 : 0);
  await createEntry(tx, rec, name, after);
  return { ...entryOf(share, rec), dirWcc: { before: dir.attr, after: after.attr } };
}

/**
 * Owner, group, size and times asked for at creation, checked as a SETATTR by the new owner.
 * The creation mode stands, as an explicit mode does in a SETATTR that also changes the owner.
 */
function withAttrs(cred: Cred, base: FileRecord, attrs: SetAttrs, t: Timespec): FileRecord {
  const { uid, gid, atime, mtime, dosAttributes } = attrs;
  // DOS attributes asked for at creation (SMB CREATE's FileAttributes); a file's READONLY is in its mode.
  const rec =
    dosAttributes === undefined
      ? base
      : { ...base, attr: { ...base.attr, dosAttributes: storedDos(base.attr.type, dosAttributes) } };
  const size = rec.attr.type === FileType.Regular ? attrs.size : undefined;
  if (uid === undefined && gid === undefined && size === undefined && atime === undefined && mtime === undefined) {
    return rec;
  }
  const attr = applySetAttrs(cred, rec.attr, { uid, gid, size, atime, mtime }, t);
  return { ...rec, attr: { ...attr, mode: rec.attr.mode } };
}

/** Creates a non-regular object of `type` (mode and extra fields from `build`) under a new name. */
async function createNode(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  name: string,
  attrs: SetAttrs,
  type: FileType,
  mode: number,
  build: (attr: FileAttr, cred: Cred) => Partial<FileRecord> = () => ({}),
  names: NewNameOptions = {},
): Promise<Created> {
  const dirRef = creation(reg, auth, dirH, name);
  const { share, cred } = dirRef;
  return share.store.transaction(async (tx) => {
    const { dir, existing } = await openDir(tx, cred, dirRef, name);
    if (existing !== undefined) throw new DittoError('EXISTS', name);
    await requireNoCaselessMatch(tx, dir, name, names);
    const t = now();
    const base = newRecord(share, cred, dir, type, mode, t);
    const rec = withAttrs(cred, { ...base, ...build(base.attr, cred) }, attrs, t);
    return insert(tx, share, cred, dir, name, rec, t);
  });
}

/**
 * RFC 1813 §3.3.8: GUARDED fails on an existing name; UNCHECKED opens an existing regular
 * file (applying only a requested size, i.e. truncation); EXCLUSIVE stores the verifier so
 * a retransmitted request with the same verifier succeeds with the file it created.
 */
export async function create(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  name: string,
  attrs: SetAttrs,
  how: CreateMode,
  opts?: TxOptions,
): Promise<Created> {
  const dirRef = creation(reg, auth, dirH, name);
  const { share, cred } = dirRef;
  // A truncation is stored with the file's earlier unstable writes, which it supersedes.
  const taken = new TakenUnstable(share);
  try {
    return await share.store.transaction((tx) => {
      taken.putBack();
      return createIn(tx, cred, dirRef, name, attrs, how, taken);
    }, opts);
  } catch (err) {
    taken.putBack();
    throw err;
  }
}

async function createIn(
  tx: StoreTx,
  cred: Cred,
  dirRef: HandleRef,
  name: string,
  attrs: SetAttrs,
  how: CreateMode,
  taken: TakenUnstable,
): Promise<Created> {
  const { share } = dirRef;
  const { dir, existing } = await openDir(tx, cred, dirRef, name);
  const t = now();
  if (existing !== undefined) {
    const dirWcc = { before: dir.attr, after: dir.attr };
    const regular = existing.attr.type === FileType.Regular;
    if (how.kind === 'exclusive' && regular && existing.verifier?.equals(how.verifier)) {
      return { ...entryOf(share, existing), dirWcc };
    }
    if (how.kind !== 'unchecked' || !regular) throw new DittoError('EXISTS', name);
    if (attrs.size === undefined) return { ...entryOf(share, existing), dirWcc };
    // Truncating: the file locked (the directory's lock keeps the entry, not the file's attributes).
    const [rec] = await lockLoad(tx, share, { fileid: existing.attr.fileid });
    taken.take(rec.attr.fileid);
    const opened = { ...rec, attr: applySetAttrs(cred, rec.attr, { size: attrs.size }, t) };
    await tx.putFile(opened);
    return { ...entryOf(share, opened), dirWcc };
  }
  if (how.kind === 'guarded') await requireNoCaselessMatch(tx, dir, name, how);
  const base = newRecord(share, cred, dir, FileType.Regular, attrs.mode ?? FILE_MODE, t);
  // The verifier may be a view of a pooled request buffer: keep a copy.
  const rec =
    how.kind === 'exclusive' ? { ...base, verifier: Buffer.from(how.verifier) } : withAttrs(cred, base, attrs, t);
  return insert(tx, share, cred, dir, name, rec, t);
}

export async function mkdir(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  name: string,
  attrs: SetAttrs,
  names?: NewNameOptions,
): Promise<Created> {
  return createNode(reg, auth, dirH, name, attrs, FileType.Directory, attrs.mode ?? DIR_MODE, undefined, names);
}

/** Symlinks are always 0777 (the mode of a link is never checked); size is the target's byte length. */
export async function symlink(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  name: string,
  target: string,
  attrs: SetAttrs,
): Promise<Created> {
  const bytes = Buffer.byteLength(target, 'utf8');
  if (bytes === 0 || target.includes('\0')) throw new DittoError('INVALID_ARGUMENT', 'bad symlink target');
  if (bytes > PATH_MAX) throw new DittoError('NAME_TOO_LONG', 'symlink target too long');
  return createNode(reg, auth, dirH, name, attrs, FileType.Symlink, 0o777, (attr) => ({
    target,
    attr: { ...attr, size: bytes, used: bytes },
  }));
}

/** FIFOs and sockets may be made by anyone; block and character devices by root only (CAP_MKNOD). */
export async function mknod(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  name: string,
  type: FileType,
  attrs: SetAttrs,
  rdev: { major: number; minor: number },
): Promise<Created> {
  const device = type === FileType.BlockDevice || type === FileType.CharDevice;
  if (!device && type !== FileType.Fifo && type !== FileType.Socket) throw new DittoError('BAD_TYPE');
  return createNode(reg, auth, dirH, name, attrs, type, attrs.mode ?? FILE_MODE, (attr, cred) => {
    if (!device) return {};
    if (cred.uid !== 0) throw new DittoError('PERMISSION_DENIED', 'only root may create devices');
    return { attr: { ...attr, rdev: { major: rdev.major, minor: rdev.minor } } };
  });
}

/** LINK (RFC 1813 §3.3.15): not for directories (EPERM), not across shares (EXDEV). */
export async function link(
  reg: ShareRegistry,
  auth: AuthContext,
  fileH: FileHandle,
  dirH: FileHandle,
  name: string,
): Promise<{ attr: FileAttr; dirWcc: Wcc }> {
  const target = reg.resolve(fileH);
  const dirRef = creation(reg, auth, dirH, name);
  const { share, fileid: dirId, cred } = dirRef;
  if (target.share !== share) throw new DittoError('CROSS_DEVICE');
  return share.store.transaction(async (tx) => {
    // The directory first, then the file (docs/cluster.md).
    const [{ dir, existing }, [file]] = await Promise.all([
      openDir(tx, cred, dirRef, name),
      lockLoad(tx, share, target),
    ]);
    if (file.attr.type === FileType.Directory) throw new DittoError('PERMISSION_DENIED', 'hard link to a directory');
    // A file held open after its last name went (open-holds.ts) gets no new one (Linux: ENOENT).
    if (file.attr.nlink === 0) throw new DittoError('NOT_FOUND', 'the file has no name any more');
    if (existing !== undefined) throw new DittoError('EXISTS', name);
    requireAccess(cred, dir.attr, W | X);
    if (file.attr.nlink >= LINK_MAX) throw new DittoError('TOO_MANY_LINKS');
    const t = now();
    await tx.addEntry(dirId, name, target.fileid);
    const linked: FileRecord = { ...file, attr: { ...file.attr, nlink: file.attr.nlink + 1, ctime: t } };
    await tx.putFile(linked);
    const after = dirChanged(dir, t);
    await tx.putFile(after);
    return { attr: linked.attr, dirWcc: { before: dir.attr, after: after.attr } };
  });
}
