/**
 * MS-FSCC §2.4 directory information classes QUERY_DIRECTORY returns: FileDirectory (1),
 * FileFullDirectory (2), FileBothDirectory (3), FileNames (12), FileIdBothDirectory (37),
 * FileIdFullDirectory (38). Entries are 8-byte aligned and chained by NextEntryOffset.
 */
import type { FileAttr } from '../../../metadata/types.ts';
import { LeWriter } from '../writer.ts';
import { allocationSize, endOfFile, fileAttributes, writeTimes } from './attributes.ts';

export const DirInfoClass = {
  DIRECTORY: 1,
  FULL_DIRECTORY: 2,
  BOTH_DIRECTORY: 3,
  NAMES: 12,
  ID_BOTH_DIRECTORY: 37,
  ID_FULL_DIRECTORY: 38,
} as const;

export const DIR_INFO_CLASSES: ReadonlySet<number> = new Set(Object.values(DirInfoClass));

/** One entry, without NextEntryOffset filled in (the caller chains them). */
export function encodeDirEntry(cls: number, name: string, attr: FileAttr): Buffer {
  const nameBuf = Buffer.from(name, 'utf16le');
  const w = new LeWriter(128 + nameBuf.length).u32(0).u32(0);
  if (cls === DirInfoClass.NAMES) return Buffer.from(w.u32(nameBuf.length).bytes(nameBuf).finish());
  writeTimes(w, attr)
    .u64(endOfFile(attr))
    .u64(allocationSize(attr))
    .u32(fileAttributes(attr, name))
    .u32(nameBuf.length);
  if (cls !== DirInfoClass.DIRECTORY) w.u32(0); // EaSize
  if (cls === DirInfoClass.BOTH_DIRECTORY || cls === DirInfoClass.ID_BOTH_DIRECTORY) w.u8(0).u8(0).zeros(24);
  if (cls === DirInfoClass.ID_BOTH_DIRECTORY) w.u16(0).u64(attr.fileid);
  if (cls === DirInfoClass.ID_FULL_DIRECTORY) w.u32(0).u64(attr.fileid);
  return Buffer.from(w.bytes(nameBuf).finish());
}
