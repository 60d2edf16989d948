/**
 * The record a client sees of a folder share's file: type, size, link count, times and
 * device numbers are the file's own (lstat). Owner, group and mode are the file's own too
 * when the process may change them (root: chown/chmod go to the file); otherwise what
 * clients set lives in the index (FolderNode.uid/gid/mode), and files nobody set anything
 * on show the share's default owner, or their real one. A mode set over NFS stands until
 * the file's real mode changes (a local chmod wins). DOS attributes set over SMB live in the
 * index only (never as extra files or xattrs in the folder).
 */
import { readlinkSync, type BigIntStats } from 'node:fs';
import type { FileRecord } from '../metadata/store.ts';
import { DosAttr, FileType } from '../metadata/types.ts';
import type { FolderNode } from './folder-index.ts';
import { rdevOf, timespecOf, typeOf } from './stat.ts';

export interface OwnerPolicy {
  /** The process can chown/chmod any file (it runs as root): no overlay, the file's own attributes. */
  realOwnership: boolean;
  /** Owner shown for files without one set over NFS; absent: the file's real owner. */
  defaultOwner: { uid: number; gid: number } | undefined;
}

export function realModeOf(st: BigIntStats): number {
  return Number(st.mode & 0o7777n);
}

/**
 * A symlink's target is read when asked for (readlink(2) updates the link's atime, and a
 * listing needs no targets).
 */
export function recordOf(node: FolderNode, st: BigIntStats, path: string, rootId: number, p: OwnerPolicy): FileRecord {
  const type = typeOf(st);
  const real = realModeOf(st);
  const overlay = !p.realOwnership;
  const mode = overlay && node.mode !== null && node.realMode === real ? node.mode : real;
  const uid = overlay ? (node.uid ?? p.defaultOwner?.uid ?? Number(st.uid)) : Number(st.uid);
  const gid = overlay ? (node.gid ?? p.defaultOwner?.gid ?? Number(st.gid)) : Number(st.gid);
  const ctime = node.ctime !== null && node.ctime > st.ctimeNs ? node.ctime : st.ctimeNs;
  const isDir = type === FileType.Directory;
  const rec: FileRecord = {
    attr: {
      type,
      mode,
      nlink: Number(st.nlink),
      uid,
      gid,
      size: Number(st.size),
      used: Number(st.blocks) * 512,
      rdev: type === FileType.CharDevice || type === FileType.BlockDevice ? rdevOf(st.rdev) : { major: 0, minor: 0 },
      fileid: node.fileid,
      atime: timespecOf(node.atime !== null && node.realAtime === st.atimeNs ? node.atime : st.atimeNs),
      mtime: timespecOf(node.mtime !== null && node.realMtime === st.mtimeNs ? node.mtime : st.mtimeNs),
      ctime: timespecOf(ctime),
      btime: timespecOf(st.birthtimeNs === 0n ? st.ctimeNs : st.birthtimeNs),
      payloadId: type === FileType.Regular ? String(node.fileid) : '',
      dosAttributes: node.dos ?? defaultDos(type),
    },
    generation: node.generation,
    root: rootId,
    parent: isDir ? (node.fileid === rootId ? rootId : node.parent) : 0,
    target: '',
    verifier: node.verifier ?? undefined,
  };
  if (type === FileType.Symlink) {
    let target: string | undefined;
    Object.defineProperty(rec, 'target', { enumerable: true, get: () => (target ??= targetOf(path)) });
  }
  return rec;
}

/** DOS attributes of a file nothing set them on: ARCHIVE for files (as made over SMB, metadata/attrs.ts). */
export function defaultDos(type: FileType): number {
  return type === FileType.Directory ? 0 : DosAttr.ARCHIVE;
}

/** A symlink's target; empty if it went away since the lstat. */
function targetOf(path: string): string {
  try {
    return readlinkSync(path, 'utf8');
  } catch {
    return '';
  }
}
