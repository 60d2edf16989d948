/** MS-FSCC §2.6 file attributes and the time fields every information class shares, from a FileAttr. */
import { FileType, type FileAttr } from '../../../metadata/types.ts';
import { fileTime, type LeWriter } from '../writer.ts';

export const Attr = {
  READONLY: 0x1,
  HIDDEN: 0x2,
  SYSTEM: 0x4,
  DIRECTORY: 0x10,
  ARCHIVE: 0x20,
  NORMAL: 0x80,
  TEMPORARY: 0x100,
} as const;

/** Directories are DIRECTORY, files ARCHIVE (as Samba shows them); no owner write bit reads as READONLY. */
export function fileAttributes(attr: FileAttr, name = ''): number {
  let a = attr.type === FileType.Directory ? Attr.DIRECTORY : Attr.ARCHIVE;
  if (attr.type !== FileType.Directory && (attr.mode & 0o200) === 0) a |= Attr.READONLY;
  if (name.startsWith('.') && name !== '.' && name !== '..') a |= Attr.HIDDEN;
  return a;
}

/** Bytes allocated: the store's `used`, rounded up to 4 KiB as clients expect whole clusters. */
export function allocationSize(attr: FileAttr): number {
  return Math.ceil(Math.max(attr.used, attr.size) / 4096) * 4096;
}

/** CreationTime, LastAccessTime, LastWriteTime, ChangeTime. */
export function writeTimes(w: LeWriter, attr: FileAttr): LeWriter {
  return w.u64(fileTime(attr.btime)).u64(fileTime(attr.atime)).u64(fileTime(attr.mtime)).u64(fileTime(attr.ctime));
}
