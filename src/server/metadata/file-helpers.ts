/** Pieces shared by the operations: admission to the share, and what mutations have in common. */
import { DittoError } from '../../shared/errors.ts';
import { newAttr } from './attrs.ts';
import { type Cred, squash } from './identity.ts';
import { S_ISGID, inGroup } from './permissions.ts';
import { handleOf, type HandleRef, type ShareRegistry, type ShareState } from './shares.ts';
import type { FileRecord } from './store.ts';
import { type AuthContext, type Entry, type FileHandle, FileType, type ShareAccess, type Timespec } from './types.ts';

/** Hard link limit (ext4's). */
export const LINK_MAX = 65000;

export interface Admitted extends HandleRef {
  /** The caller after the share's squash rule. */
  cred: Cred;
  /** What the share's grants let the caller do ('read' or 'write' once admitted). */
  access: ShareAccess;
}

/**
 * Start of every operation: the file a handle names and the squashed caller. ACCESS_DENIED
 * when the share grants the caller nothing, whatever the handle (a handle is no capability).
 */
export function admit(reg: ShareRegistry, auth: AuthContext, h: FileHandle): Admitted {
  const ref = reg.resolve(h);
  const cred = squash(auth, ref.share.options);
  const access = ref.share.options.access(cred);
  if (access === 'none') throw new DittoError('ACCESS_DENIED', 'the share grants this user no access');
  return { ...ref, cred, access };
}

/** Start of every mutation: as `admit`, and READ_ONLY when the share is exported read-only or grants the caller only read. */
export function mutation(reg: ShareRegistry, auth: AuthContext, h: FileHandle): Admitted {
  const admitted = admit(reg, auth, h);
  if (admitted.share.options.readOnly || admitted.access !== 'write') throw new DittoError('READ_ONLY');
  return admitted;
}

/** A directory after its entries changed: new mtime/ctime, `nlinkDelta` subdirectories more or fewer. */
export function dirChanged(dir: FileRecord, t: Timespec, nlinkDelta = 0): FileRecord {
  return { ...dir, attr: { ...dir.attr, nlink: dir.attr.nlink + nlinkDelta, mtime: t, ctime: t } };
}

/**
 * A new object owned by the caller. In a setgid directory it takes the directory's group,
 * and a new subdirectory inherits the setgid bit; a caller outside the resulting group
 * cannot create a setgid file (Linux inode_init_owner).
 */
export function newRecord(
  share: ShareState,
  cred: Cred,
  dir: FileRecord,
  type: FileType,
  mode: number,
  t: Timespec,
): FileRecord {
  const isDir = type === FileType.Directory;
  let perm = mode;
  let gid = cred.gid;
  if ((dir.attr.mode & S_ISGID) !== 0) {
    gid = dir.attr.gid;
    if (isDir) perm |= S_ISGID;
  }
  if (!isDir && cred.uid !== 0 && !inGroup(cred, gid)) perm &= ~S_ISGID;
  return {
    attr: newAttr(type, perm, cred.uid, gid, t),
    root: share.rootId,
    parent: isDir ? dir.attr.fileid : 0,
    generation: 0,
    target: '',
    verifier: undefined,
  };
}

export function entryOf(share: ShareState, rec: FileRecord): Entry {
  return { handle: handleOf(share, rec.attr.fileid, rec.generation), attr: rec.attr };
}
