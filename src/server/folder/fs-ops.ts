/**
 * Making and removing the objects of a folder share in the folder. A new object gets the
 * mode asked for; where the process cannot chown (not root) the file keeps read and write
 * (and search) for its owner, the process, so dfs can still serve it, and setuid/setgid stay
 * off the real file (the mode clients see is kept in the index: attrs.ts). FIFOs and device
 * files come from mkfifo(1) / mknod(1): Node has no mknod.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  ftruncateSync,
  futimesSync,
  lchownSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  type BigIntStats,
} from 'node:fs';
import { DittoError } from '../../shared/errors.ts';
import type { FileRecord } from '../metadata/store.ts';
import { sameTime } from '../metadata/time.ts';
import { FileType } from '../metadata/types.ts';
import { realModeOf } from './attrs.ts';
import { fsError } from './errors.ts';
import { lstatOrUndefined, utimeOf } from './stat.ts';

const CREATE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_RDWR | constants.O_NOFOLLOW;

/** The real mode of a new object: as asked when the process is root; else usable by the process, no setuid/setgid. */
function realModeFor(type: FileType, mode: number, realOwnership: boolean): number {
  if (realOwnership) return mode & 0o7777;
  return (mode & 0o1777) | (type === FileType.Directory ? 0o700 : 0o600);
}

/** The process's umask, read once (reading it means setting it back). */
const UMASK = process.umask();

/**
 * Creates `rec`'s object at `path` (EXISTS if the name is taken) with the owner (as root),
 * mode and times asked for; returns its lstat once all of that is done, and for a regular
 * file its read-write descriptor (the caller keeps or closes it).
 */
export function createObject(rec: FileRecord, path: string, realOwnership: boolean): { st: BigIntStats; fd?: number } {
  const mode = realModeFor(rec.attr.type, rec.attr.mode, realOwnership);
  try {
    if (rec.attr.type === FileType.Regular) return createFile(rec, path, mode, realOwnership);
    makeObject(rec, path, mode, realOwnership);
    const { type, uid, gid, atime, mtime, ctime } = rec.attr;
    // chown first: it clears setuid/setgid; then the mode the umask (or mkfifo) left short.
    if (realOwnership) lchownSync(path, uid, gid);
    if (type !== FileType.Symlink && (realOwnership || (mode & ~UMASK) !== mode)) chmodSync(path, mode);
    if (!sameTime(atime, ctime) || !sameTime(mtime, ctime)) lutimesSync(path, utimeOf(atime), utimeOf(mtime));
    return { st: lstatOrThrow(path) };
  } catch (err) {
    throw fsError(err, path);
  }
}

/** A regular file, made and set up through its descriptor. */
function createFile(
  rec: FileRecord,
  path: string,
  mode: number,
  realOwnership: boolean,
): { st: BigIntStats; fd: number } {
  const { uid, gid, atime, mtime, ctime, size } = rec.attr;
  const fd = openSync(path, CREATE_FLAGS, mode & 0o777);
  try {
    if (size > 0) ftruncateSync(fd, size);
    const made = fstatSync(fd, { bigint: true });
    // chown first: it clears setuid/setgid; then the mode the umask (or a default ACL) left otherwise.
    // Each is skipped where the kernel already gave the file what was asked (each waits for the journal).
    const chown = realOwnership && (Number(made.uid) !== uid || Number(made.gid) !== gid);
    if (chown) fchownSync(fd, uid, gid);
    const chmod = chown || realModeOf(made) !== mode;
    if (chmod) fchmodSync(fd, mode);
    // A new object has atime = mtime = ctime unless the creation asked for other times.
    const times = !sameTime(atime, ctime) || !sameTime(mtime, ctime);
    if (times) futimesSync(fd, utimeOf(atime), utimeOf(mtime));
    return { st: chmod || times ? fstatSync(fd, { bigint: true }) : made, fd };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The objects other than regular files. */
function makeObject(rec: FileRecord, path: string, mode: number, realOwnership: boolean): void {
  switch (rec.attr.type) {
    case FileType.Directory:
      mkdirSync(path, mode & 0o777);
      return;
    case FileType.Symlink:
      symlinkSync(rec.target, path);
      return;
    case FileType.Fifo:
      return command('mkfifo', ['-m', mode.toString(8), path], path);
    case FileType.CharDevice:
    case FileType.BlockDevice: {
      if (!realOwnership) {
        throw new DittoError('NOT_SUPPORTED', 'dfs does not run as root, so it cannot create device files in a folder');
      }
      const { major, minor } = rec.attr.rdev;
      const kind = rec.attr.type === FileType.CharDevice ? 'c' : 'b';
      return command('mknod', ['-m', mode.toString(8), path, kind, String(major), String(minor)], path);
    }
    default:
      throw new DittoError('NOT_SUPPORTED', 'sockets cannot be created in a folder share');
  }
}

function command(cmd: string, args: string[], path: string): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (err) {
    if (lstatOrUndefined(path) !== undefined) throw new DittoError('EXISTS', path);
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') throw new DittoError('NOT_SUPPORTED', `${cmd} is not installed on this computer`);
    throw new DittoError('IO', `${cmd} ${path}: ${e.stderr?.toString().trim() ?? String(err)}`);
  }
}

function lstatOrThrow(path: string): BigIntStats {
  const st = lstatOrUndefined(path);
  if (st === undefined) throw new DittoError('NOT_FOUND', `${path} went away while it was being created`);
  return st;
}

/** Objects of the other kind than the removal took it for (replaced meanwhile): lstat, then again. */
const OTHER_KIND = new Set(['EISDIR', 'ENOTDIR', 'EPERM']);

/**
 * Removes the object at `path` (rmdir for a directory; `isDir` as the transaction saw it,
 * undefined: lstat first); a name already gone is not an error.
 */
export function removeObject(path: string, isDir: boolean | undefined): void {
  const dir = isDir ?? lstatOrUndefined(path)?.isDirectory();
  if (dir === undefined) return;
  try {
    if (dir) rmdirSync(path);
    else unlinkSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return;
    if (isDir !== undefined && OTHER_KIND.has(code)) return removeObject(path, undefined);
    throw fsError(err, path, dir);
  }
}
