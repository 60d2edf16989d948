/** MS-FSCC §2.5 file system information classes (SMB2_0_INFO_FILESYSTEM) from MetadataService's fsStat. */
import type { FsStat } from '../../../metadata/types.ts';
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { LeWriter } from '../writer.ts';

export const FsInfoClass = {
  VOLUME: 1,
  SIZE: 3,
  DEVICE: 4,
  ATTRIBUTE: 5,
  CONTROL: 6,
  FULL_SIZE: 7,
  OBJECT_ID: 8,
  SECTOR_SIZE: 11,
} as const;

const SECTOR = 512;
const SECTORS_PER_UNIT = 8;
const UNIT = SECTOR * SECTORS_PER_UNIT;
/** FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK | FILE_SUPPORTS_SPARSE_FILES (not CASE_SENSITIVE_SEARCH: SMB names are case-insensitive). */
const FS_ATTRIBUTES = 0x2 | 0x4 | 0x40;
/** FILE_NAMED_STREAMS (MS-FSCC §2.5.1): where the share's store keeps streams. */
const FILE_NAMED_STREAMS = 0x40000;

/** The least buffer the variable-length classes accept (volume label, file system name; Windows' sizes). */
export const VARIABLE_FS_INFO: ReadonlyMap<number, number> = new Map([
  [FsInfoClass.VOLUME, 24],
  [FsInfoClass.ATTRIBUTE, 16],
]);

export function encodeFsInfo(
  cls: number,
  stat: FsStat,
  volumeLabel: string,
  serial: number,
  created: bigint,
  namedStreams: boolean,
): Buffer {
  const w = new LeWriter(96);
  const units = (n: number) => Math.floor(n / UNIT);
  switch (cls) {
    case FsInfoClass.VOLUME: {
      const label = Buffer.from(volumeLabel, 'utf16le');
      w.u64(created).u32(serial).u32(label.length).u8(0).u8(0).bytes(label);
      break;
    }
    case FsInfoClass.SIZE:
      w.u64(units(stat.totalBytes)).u64(units(stat.availBytes)).u32(SECTORS_PER_UNIT).u32(SECTOR);
      break;
    case FsInfoClass.FULL_SIZE:
      w.u64(units(stat.totalBytes)).u64(units(stat.availBytes)).u64(units(stat.freeBytes));
      w.u32(SECTORS_PER_UNIT).u32(SECTOR);
      break;
    case FsInfoClass.DEVICE:
      w.u32(0x7).u32(0x20); // FILE_DEVICE_DISK, FILE_DEVICE_IS_MOUNTED
      break;
    case FsInfoClass.ATTRIBUTE: {
      const name = Buffer.from('NTFS', 'utf16le');
      w.u32(FS_ATTRIBUTES | (namedStreams ? FILE_NAMED_STREAMS : 0))
        .u32(255)
        .u32(name.length)
        .bytes(name);
      break;
    }
    case FsInfoClass.SECTOR_SIZE:
      // Logical, physical (atomicity, performance, effective), flags, and two offsets.
      w.u32(SECTOR).u32(SECTOR).u32(SECTOR).u32(SECTOR).u32(0x3).u32(0).u32(0);
      break;
    case FsInfoClass.OBJECT_ID:
      w.zeros(64);
      break;
    case FsInfoClass.CONTROL:
      // §2.5.2 FileFsControlInformation: no quotas (thresholds and limits all "none").
      w.u64(0).u64(0).u64(0).u64(-1n).u64(-1n).u32(0).u32(0);
      break;
    default:
      throw new SmbStatusError(Status.INVALID_INFO_CLASS);
  }
  return Buffer.from(w.finish());
}
