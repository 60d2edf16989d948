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
  SPARSE_FILE: 0x200,
} as const;

/** The bits FileAttr.dosAttributes keeps (metadata/types.ts DosAttr). */
const KEPT = Attr.READONLY | Attr.HIDDEN | Attr.SYSTEM | Attr.ARCHIVE | Attr.SPARSE_FILE;

/**
 * The DOS attributes kept (FileAttr.dosAttributes) plus DIRECTORY; a file's READONLY is the
 * lack of its owner's write bit (metadata/file-modify.ts); names starting with a dot are
 * HIDDEN (Samba's "hide dot files"); nothing at all reads as NORMAL (MS-FSCC §2.6).
 */
export function fileAttributes(attr: FileAttr, name = ''): number {
  let a = attr.dosAttributes & KEPT;
  if (attr.type === FileType.Directory) a |= Attr.DIRECTORY;
  else if ((attr.mode & 0o200) === 0) a |= Attr.READONLY;
  if (name.startsWith('.') && name !== '.' && name !== '..') a |= Attr.HIDDEN;
  return a === 0 ? Attr.NORMAL : a;
}

/** EndOfFile: the size; a directory's is 0, as Windows and Samba answer (smbtorture smb2.create.open). */
export function endOfFile(attr: FileAttr): number {
  return attr.type === FileType.Directory ? 0 : attr.size;
}

/** Bytes allocated: the store's `used`, rounded up to 4 KiB as clients expect whole clusters; 0 for a directory. */
export function allocationSize(attr: FileAttr): number {
  if (attr.type === FileType.Directory) return 0;
  return Math.ceil(Math.max(attr.used, attr.size) / 4096) * 4096;
}

/** CreationTime, LastAccessTime, LastWriteTime, ChangeTime. */
export function writeTimes(w: LeWriter, attr: FileAttr): LeWriter {
  return w.u64(fileTime(attr.btime)).u64(fileTime(attr.atime)).u64(fileTime(attr.mtime)).u64(fileTime(attr.ctime));
}
