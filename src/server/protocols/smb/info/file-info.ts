/**
 * MS-FSCC §2.4 file information classes for QUERY_INFO (SMB2_0_INFO_FILE), encoded from
 * an open's attributes. Unknown classes are INVALID_INFO_CLASS.
 */
import { FileType, type FileAttr } from '../../../metadata/types.ts';
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import type { Open } from '../state.ts';
import { LeWriter } from '../writer.ts';
import { allocationSize, endOfFile, fileAttributes, writeTimes } from './attributes.ts';

export const FileInfoClass = {
  BASIC: 4,
  STANDARD: 5,
  INTERNAL: 6,
  EA: 7,
  ACCESS: 8,
  NAME: 9,
  RENAME: 10,
  DISPOSITION: 13,
  POSITION: 14,
  FULL_EA: 15,
  MODE: 16,
  ALIGNMENT: 17,
  ALL: 18,
  ALLOCATION: 19,
  END_OF_FILE: 20,
  ALTERNATE_NAME: 21,
  STREAM: 22,
  COMPRESSION: 28,
  NETWORK_OPEN: 34,
  ATTRIBUTE_TAG: 35,
  DISPOSITION_EX: 64,
  NORMALIZED_NAME: 48,
} as const;

function basic(w: LeWriter, attr: FileAttr, attributes: number): void {
  writeTimes(w, attr).u32(attributes).u32(0);
}

/** A delete-pending file counts one link fewer (the one its last close removes), as Windows and Samba. */
function standard(w: LeWriter, attr: FileAttr, deletePending: boolean): void {
  w.u64(allocationSize(attr))
    .u64(endOfFile(attr))
    .u32(deletePending ? Math.max(attr.nlink - 1, 0) : attr.nlink)
    .u8(deletePending ? 1 : 0);
  w.u8(attr.type === FileType.Directory ? 1 : 0).u16(0);
}

/** A stream open's name is its file's with `:stream` (as Windows; smbtorture smb2.streams.names). */
function nameInfo(w: LeWriter, open: Open): void {
  const stream = open.stream === undefined ? '' : `:${open.stream}`;
  const name = Buffer.from(`\\${open.path}${stream}`, 'utf16le');
  w.u32(name.length).bytes(name);
}

/**
 * The least buffer the variable-length classes accept (Windows' sizes, as smbtorture's
 * getinfo.qfile_buffercheck has them): shorter is INFO_LENGTH_MISMATCH, longer gets what fits.
 */
export const VARIABLE_FILE_INFO: ReadonlyMap<number, number> = new Map([
  [FileInfoClass.ALL, 104],
  [FileInfoClass.NAME, 8],
  [FileInfoClass.NORMALIZED_NAME, 8],
  [FileInfoClass.ALTERNATE_NAME, 8],
  [FileInfoClass.STREAM, 32],
]);

/** `deletePending`: the file's (share-modes.ts), for FileStandardInformation. */
export function encodeFileInfo(cls: number, open: Open, attr: FileAttr, deletePending: boolean): Buffer {
  const w = new LeWriter(128);
  const attributes = fileAttributes(attr, open.name);
  switch (cls) {
    case FileInfoClass.BASIC:
      basic(w, attr, attributes);
      break;
    case FileInfoClass.STANDARD:
      standard(w, attr, deletePending);
      break;
    case FileInfoClass.INTERNAL:
      w.u64(attr.fileid);
      break;
    case FileInfoClass.EA:
      w.u32(0);
      break;
    case FileInfoClass.FULL_EA:
      // No extended attributes are kept (as Samba for a file without any).
      throw new SmbStatusError(Status.NO_EAS_ON_FILE);
    case FileInfoClass.ACCESS:
      w.u32(open.desiredAccess);
      break;
    case FileInfoClass.POSITION:
      w.u64(open.position);
      break;
    case FileInfoClass.MODE:
      w.u32(0);
      break;
    case FileInfoClass.ALIGNMENT:
      w.u32(0);
      break;
    case FileInfoClass.ALL:
      basic(w, attr, attributes);
      standard(w, attr, deletePending);
      w.u64(attr.fileid).u32(0).u32(open.desiredAccess).u64(open.position).u32(0).u32(0);
      nameInfo(w, open);
      break;
    case FileInfoClass.NAME:
      nameInfo(w, open);
      break;
    case FileInfoClass.NORMALIZED_NAME: {
      // §2.4.28: relative to the share root, empty for the root itself.
      const name = Buffer.from(open.path, 'utf16le');
      w.u32(name.length).bytes(name);
      break;
    }
    case FileInfoClass.ALTERNATE_NAME: {
      // No 8.3 names are generated: the alternate name is the name itself.
      const name = Buffer.from(open.name, 'utf16le');
      w.u32(name.length).bytes(name);
      break;
    }
    case FileInfoClass.NETWORK_OPEN:
      writeTimes(w, attr).u64(allocationSize(attr)).u64(endOfFile(attr)).u32(attributes).u32(0);
      break;
    case FileInfoClass.ATTRIBUTE_TAG:
      w.u32(attributes).u32(0);
      break;
    case FileInfoClass.COMPRESSION:
      w.u64(endOfFile(attr)).u16(0).u8(0).u8(0).u8(0).zeros(3);
      break;
    default:
      throw new SmbStatusError(Status.INVALID_INFO_CLASS);
  }
  return Buffer.from(w.finish());
}
