/**
 * fattr4 (RFC 7530 §5): the bitmap and the attribute values in bit order. Served: the
 * mandatory attributes and the recommended ones clients use; owner and owner_group are
 * numeric strings ("1000"), as knfsd sends with nfs4_disable_idmapping.
 */
import type { FileAttr, FsStat, SetAttrs, Timespec } from '../../../metadata/types.ts';
import { XdrReader } from '../../xdr/reader.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { Nfs4Status, NFS4_MAXNAME } from './constants.ts';
import { Nfs4Error } from './errors.ts';

export const A = {
  SUPPORTED_ATTRS: 0,
  TYPE: 1,
  FH_EXPIRE_TYPE: 2,
  CHANGE: 3,
  SIZE: 4,
  LINK_SUPPORT: 5,
  SYMLINK_SUPPORT: 6,
  NAMED_ATTR: 7,
  FSID: 8,
  UNIQUE_HANDLES: 9,
  LEASE_TIME: 10,
  RDATTR_ERROR: 11,
  ACLSUPPORT: 13,
  CANSETTIME: 15,
  CASE_INSENSITIVE: 16,
  CASE_PRESERVING: 17,
  CHOWN_RESTRICTED: 18,
  FILEHANDLE: 19,
  FILEID: 20,
  FILES_AVAIL: 21,
  FILES_FREE: 22,
  FILES_TOTAL: 23,
  HOMOGENEOUS: 26,
  MAXFILESIZE: 27,
  MAXLINK: 28,
  MAXNAME: 29,
  MAXREAD: 30,
  MAXWRITE: 31,
  MODE: 33,
  NO_TRUNC: 34,
  NUMLINKS: 35,
  OWNER: 36,
  OWNER_GROUP: 37,
  RAWDEV: 41,
  SPACE_AVAIL: 42,
  SPACE_FREE: 43,
  SPACE_TOTAL: 44,
  SPACE_USED: 45,
  TIME_ACCESS: 47,
  TIME_ACCESS_SET: 48,
  TIME_DELTA: 51,
  TIME_METADATA: 52,
  TIME_MODIFY: 53,
  TIME_MODIFY_SET: 54,
  MOUNTED_ON_FILEID: 55,
} as const;

/** Attributes GETATTR can return (TIME_*_SET are write-only). */
const READABLE = Object.values(A).filter((n) => n !== A.TIME_ACCESS_SET && n !== A.TIME_MODIFY_SET);
const SETTABLE = [A.SIZE, A.MODE, A.OWNER, A.OWNER_GROUP, A.TIME_ACCESS_SET, A.TIME_MODIFY_SET];
const SUPPORTED = [...READABLE, A.TIME_ACCESS_SET, A.TIME_MODIFY_SET];
const FS_STAT_ATTRS = [A.FILES_AVAIL, A.FILES_FREE, A.FILES_TOTAL, A.SPACE_AVAIL, A.SPACE_FREE, A.SPACE_TOTAL];
const MAX_BITMAP_WORDS = 8;
const MAX_FATTR_BYTES = 64 * 1024;

export type Bitmap = number[];

export function bitmapOf(bits: readonly number[]): Bitmap {
  const words: Bitmap = [];
  for (const b of bits) {
    const i = b >>> 5;
    while (words.length <= i) words.push(0);
    words[i] = ((words[i] ?? 0) | (1 << (b & 31))) >>> 0;
  }
  return words;
}

export function hasBit(words: Bitmap, bit: number): boolean {
  return (((words[bit >>> 5] ?? 0) >>> (bit & 31)) & 1) === 1;
}

export function decodeBitmap(r: XdrReader): Bitmap {
  const n = r.u32();
  if (n > MAX_BITMAP_WORDS) {
    r.fail('too-long');
    return [];
  }
  const words: Bitmap = [];
  for (let i = 0; i < n; i++) words.push(r.u32());
  return words;
}

export function encodeBitmap(w: XdrWriter, words: Bitmap): void {
  let n = words.length;
  while (n > 0 && words[n - 1] === 0) n--;
  w.u32(n);
  for (let i = 0; i < n; i++) w.u32(words[i] ?? 0);
}

export function bitsOf(words: Bitmap): number[] {
  const out: number[] = [];
  words.forEach((word, i) => {
    for (let b = 0; b < 32; b++) if ((word >>> b) & 1) out.push(i * 32 + b);
  });
  return out;
}

/** Whether encoding `words` needs the file system's space and file counts. */
export function needsFsStat(words: Bitmap): boolean {
  return FS_STAT_ATTRS.some((b) => hasBit(words, b));
}

/** Everything an object's attributes are computed from. */
export interface AttrSource {
  attr: FileAttr;
  fh: Buffer;
  fsid: number;
  /** fileid of the pseudo directory a share root is mounted on. */
  mountedOnFileid?: number;
  fsStat?: FsStat;
  leaseSeconds: number;
  maxIo: number;
}

const time = (w: XdrWriter, t: Timespec): void => void w.u64(t.sec).u32(t.nsec);
const NO_FS_STAT: FsStat = {
  totalBytes: 0,
  freeBytes: 0,
  availBytes: 0,
  totalFiles: 0,
  freeFiles: 0,
  availFiles: 0,
};

function encodeOne(w: XdrWriter, bit: number, s: AttrSource): void {
  const a = s.attr;
  const fs = s.fsStat ?? NO_FS_STAT;
  switch (bit) {
    case A.SUPPORTED_ATTRS:
      return encodeBitmap(w, bitmapOf(SUPPORTED));
    case A.TYPE:
      return void w.u32(a.type);
    case A.FH_EXPIRE_TYPE:
      return void w.u32(0); // FH4_PERSISTENT
    case A.CHANGE:
      // ctime as one increasing 64-bit number: seconds above, nanoseconds below.
      return void w.u32(a.ctime.sec).u32(a.ctime.nsec);
    case A.SIZE:
      return void w.u64(a.size);
    case A.LINK_SUPPORT:
    case A.SYMLINK_SUPPORT:
    case A.UNIQUE_HANDLES:
    case A.CANSETTIME:
    case A.CASE_PRESERVING:
    case A.CHOWN_RESTRICTED:
    case A.HOMOGENEOUS:
    case A.NO_TRUNC:
      return void w.bool(true);
    case A.NAMED_ATTR:
    case A.CASE_INSENSITIVE:
      return void w.bool(false);
    case A.FSID:
      return void w.u64(s.fsid).u64(s.fsid === 0 ? 0 : 1);
    case A.LEASE_TIME:
      return void w.u32(s.leaseSeconds);
    case A.RDATTR_ERROR:
      return void w.u32(0);
    case A.ACLSUPPORT:
      return void w.u32(0);
    case A.FILEHANDLE:
      return void w.opaque(s.fh);
    case A.FILEID:
      return void w.u64(a.fileid);
    case A.FILES_AVAIL:
      return void w.u64(fs.availFiles);
    case A.FILES_FREE:
      return void w.u64(fs.freeFiles);
    case A.FILES_TOTAL:
      return void w.u64(fs.totalFiles);
    case A.MAXFILESIZE:
      return void w.u64(Number.MAX_SAFE_INTEGER);
    case A.MAXLINK:
      return void w.u32(0xffff);
    case A.MAXNAME:
      return void w.u32(NFS4_MAXNAME);
    case A.MAXREAD:
    case A.MAXWRITE:
      return void w.u64(s.maxIo);
    case A.MODE:
      return void w.u32(a.mode & 0o7777);
    case A.NUMLINKS:
      return void w.u32(a.nlink);
    case A.OWNER:
      return void w.string(String(a.uid));
    case A.OWNER_GROUP:
      return void w.string(String(a.gid));
    case A.RAWDEV:
      return void w.u32(a.rdev.major).u32(a.rdev.minor);
    case A.SPACE_AVAIL:
      return void w.u64(fs.availBytes);
    case A.SPACE_FREE:
      return void w.u64(fs.freeBytes);
    case A.SPACE_TOTAL:
      return void w.u64(fs.totalBytes);
    case A.SPACE_USED:
      return void w.u64(a.used);
    case A.TIME_ACCESS:
      return time(w, a.atime);
    case A.TIME_DELTA:
      return time(w, { sec: 0, nsec: 1 });
    case A.TIME_METADATA:
      return time(w, a.ctime);
    case A.TIME_MODIFY:
      return time(w, a.mtime);
    case A.MOUNTED_ON_FILEID:
      return void w.u64(s.mountedOnFileid ?? a.fileid);
  }
}

/** fattr4 with the requested attributes this server has; unknown bits are left out of the reply bitmap. */
export function encodeFattr(w: XdrWriter, requested: Bitmap, s: AttrSource): void {
  const bits = bitsOf(requested).filter((b) => READABLE.includes(b as (typeof READABLE)[number]));
  encodeBitmap(w, bitmapOf(bits));
  const at = w.length;
  w.u32(0);
  for (const b of bits) encodeOne(w, b, s);
  w.patchU32(at, w.length - at - 4);
}

/** fattr4 as sent, for VERIFY / NVERIFY to compare byte for byte. */
export interface RawFattr {
  bitmap: Bitmap;
  values: Buffer;
}

export function decodeRawFattr(r: XdrReader): RawFattr {
  return { bitmap: decodeBitmap(r), values: r.opaque(MAX_FATTR_BYTES) };
}

export function isReadable(bit: number): boolean {
  return READABLE.includes(bit as (typeof READABLE)[number]);
}

function decodeId(s: string): number {
  if (!/^\d{1,10}$/.test(s) || Number(s) > 0xffffffff) throw new Nfs4Error(Nfs4Status.BADOWNER, s);
  return Number(s);
}

function decodeSetTime(r: XdrReader): Timespec | 'server' {
  // settime4: SET_TO_SERVER_TIME4 = 0, SET_TO_CLIENT_TIME4 = 1 with an nfstime4
  if (r.enumBelow(2) === 0) return 'server';
  return { sec: r.u64(), nsec: r.u32() };
}

/** The settable attributes of a fattr4 (SETATTR, CREATE, OPEN); other bits are refused. */
export function parseSetAttrs(raw: RawFattr): SetAttrs {
  const attrs: SetAttrs = {};
  const v = new XdrReader(raw.values);
  for (const bit of bitsOf(raw.bitmap)) {
    if (!SETTABLE.includes(bit as (typeof SETTABLE)[number])) {
      throw new Nfs4Error(isReadable(bit) ? Nfs4Status.INVAL : Nfs4Status.ATTRNOTSUPP, `attribute ${bit}`);
    }
    if (bit === A.SIZE) attrs.size = v.u64();
    else if (bit === A.MODE) attrs.mode = v.u32() & 0o7777;
    else if (bit === A.OWNER) attrs.uid = decodeId(v.string(NFS4_MAXNAME));
    else if (bit === A.OWNER_GROUP) attrs.gid = decodeId(v.string(NFS4_MAXNAME));
    else if (bit === A.TIME_ACCESS_SET) attrs.atime = decodeSetTime(v);
    else if (bit === A.TIME_MODIFY_SET) attrs.mtime = decodeSetTime(v);
  }
  if (!v.ok) throw new Nfs4Error(Nfs4Status.BADXDR, 'attribute values');
  return attrs;
}
