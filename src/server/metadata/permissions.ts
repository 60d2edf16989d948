/** POSIX permission checks on (squashed) credentials. */
import { DittoError } from '../../shared/errors.ts';
import type { Cred } from './identity.ts';
import { ACCESS, type FileAttr, FileType } from './types.ts';

export const R = 4;
export const W = 2;
export const X = 1;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

export function inGroup(cred: Cred, gid: number): boolean {
  return cred.gid === gid || cred.gids.includes(gid);
}

/**
 * Whether `cred` holds all `want` bits (R/W/X) on `attr` by the owner/group/other class.
 * Root holds everything except execute of a non-directory that has no x bit at all.
 */
export function permits(cred: Cred, attr: FileAttr, want: number): boolean {
  if (cred.uid === 0) {
    return (want & X) === 0 || attr.type === FileType.Directory || (attr.mode & 0o111) !== 0;
  }
  let bits: number;
  if (cred.uid === attr.uid) bits = attr.mode >> 6;
  else if (inGroup(cred, attr.gid)) bits = attr.mode >> 3;
  else bits = attr.mode;
  return (bits & want & 7) === want;
}

export function requireAccess(cred: Cred, attr: FileAttr, want: number): void {
  if (!permits(cred, attr, want)) throw new DittoError('ACCESS_DENIED');
}

/** chmod, explicit utimes: the owner or root only (EPERM). */
export function requireOwner(cred: Cred, attr: FileAttr): void {
  if (cred.uid !== 0 && cred.uid !== attr.uid) throw new DittoError('PERMISSION_DENIED');
}

/** In a sticky directory only root or the owner of the entry or of the directory may remove or rename it (EPERM). */
export function checkSticky(cred: Cred, dir: FileAttr, victim: FileAttr): void {
  if ((dir.mode & S_ISVTX) !== 0 && cred.uid !== 0 && cred.uid !== dir.uid && cred.uid !== victim.uid) {
    throw new DittoError('PERMISSION_DENIED', 'sticky directory');
  }
}

/**
 * READ/WRITE/truncate on a file: NFS checks permission per request, POSIX at open time. As
 * knfsd does (NFSD_MAY_OWNER_OVERRIDE), the owner keeps I/O on a file whose mode no longer
 * grants it, so `open(O_CREAT|O_RDWR, 0444)` followed by writes works (git, tar, cp -p);
 * READ also passes with execute permission so binaries with mode 0711 can run.
 */
export function mayDoIo(cred: Cred, attr: FileAttr, want: typeof R | typeof W): boolean {
  return cred.uid === attr.uid || permits(cred, attr, want) || (want === R && permits(cred, attr, X));
}

/** POSIX: a write or chown by an unprivileged caller clears setuid, and setgid when group-executable. */
export function killSuid(mode: number): number {
  return mode & (mode & 0o010 ? ~(S_ISUID | S_ISGID) : ~S_ISUID);
}

/** NFSv3 ACCESS bits (RFC 1813 §3.3.4) held by `cred`, out of `requested`. */
export function accessBits(cred: Cred, attr: FileAttr, requested: number, readOnly: boolean): number {
  const r = permits(cred, attr, R);
  const w = !readOnly && permits(cred, attr, W);
  let granted = 0;
  if (r) granted |= ACCESS.READ;
  if (w) granted |= ACCESS.MODIFY | ACCESS.EXTEND;
  if (attr.type === FileType.Directory) {
    const x = permits(cred, attr, X);
    if (x) granted |= ACCESS.LOOKUP;
    if (w && x) granted |= ACCESS.DELETE;
  } else if (permits(cred, attr, X)) {
    granted |= ACCESS.EXECUTE;
  }
  return granted & requested;
}
