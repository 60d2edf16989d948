/** Attributes of a newly made object. */
import { randomUUID } from 'node:crypto';
import { DosAttr, type FileAttr, FileType, type Timespec } from './types.ts';

/** Size reported for directories (as most local file systems do for small ones). */
const DIR_SIZE = 4096;

/**
 * A directory starts with two links ('.' and its entry in the parent); a regular file gets a
 * fresh payloadId. Files start with ARCHIVE set, as Windows does on create (MS-FSA §2.1.5.1).
 */
export function newAttr(type: FileType, mode: number, uid: number, gid: number, t: Timespec): FileAttr {
  const isDir = type === FileType.Directory;
  const size = isDir ? DIR_SIZE : 0;
  return {
    type,
    mode: mode & 0o7777,
    nlink: isDir ? 2 : 1,
    uid,
    gid,
    size,
    used: size,
    rdev: { major: 0, minor: 0 },
    fileid: 0,
    atime: t,
    mtime: t,
    ctime: t,
    btime: t,
    payloadId: type === FileType.Regular ? randomUUID() : '',
    dosAttributes: isDir ? 0 : DosAttr.ARCHIVE,
  };
}
