/**
 * Shared NFSv3 byte fixtures (annotated hex) and the values they encode. Each ends its
 * line, so fixtures can be placed side by side.
 */
import { FileType, type FileAttr } from '../../metadata/types.ts';

const T0 = { sec: 1_700_000_000, nsec: 500 };

/** A regular file: fileid 5, 10 bytes, 4096 used. */
export const ATTR: FileAttr = {
  type: FileType.Regular,
  mode: 0o644,
  nlink: 1,
  uid: 1000,
  gid: 1000,
  size: 10,
  used: 4096,
  rdev: { major: 0, minor: 0 },
  fileid: 5,
  atime: T0,
  mtime: T0,
  ctime: T0,
  btime: T0,
  payloadId: 'p5',
  dosAttributes: 0x20,
};

/** fattr3 of ATTR in share 1. */
export const FATTR = `
  00000001             # type NF3REG
  000001a4             # mode 0644
  00000001             # nlink 1
  000003e8             # uid 1000
  000003e8             # gid 1000
  00000000 0000000a    # size 10
  00000000 00001000    # used 4096
  00000000 00000000    # rdev 0,0
  00000000 00000001    # fsid 1 (share id)
  00000000 00000005    # fileid 5
  6553f100 000001f4    # atime 1700000000.000000500
  6553f100 000001f4    # mtime
  6553f100 000001f4    # ctime
`;

/** nfs_fh3 of file 5 in share 1 (an 8-byte handle: the codecs treat handles as opaque). */
export const FH = '00000008 00000001 00000005   # nfs_fh3: len 8, share 1, fileid 5\n';
export const FH_BYTES = Buffer.from('0000000100000005', 'hex');
/** nfs_fh3 of the root directory (fileid 1). */
export const DIR_FH = '00000008 00000001 00000001   # nfs_fh3: len 8, share 1, fileid 1 (root)\n';
export const DIR_FH_BYTES = Buffer.from('0000000100000001', 'hex');
/** filename3 "a.txt". */
export const NAME = '00000005 612e747874 000000   # name "a.txt" + 3 pad\n';
/** sattr3 with nothing set. */
export const SATTR_NONE = '00000000 00000000 00000000 00000000 00000000 00000000   # sattr3: nothing set\n';
