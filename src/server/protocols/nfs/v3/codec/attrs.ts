/**
 * Encoders for the attribute types every NFSv3 result uses (RFC 1813 §2.5, §2.6): fattr3,
 * post_op_attr, pre_op_attr / wcc_data and post_op_fh3. `fsid` is the share's id, so each
 * export is its own file system to clients.
 */
import type { FileAttr, FileHandle, Timespec, Wcc } from '../../../../metadata/types.ts';
import type { XdrWriter } from '../../../xdr/writer.ts';

/** nfstime3 */
export function encodeTime(w: XdrWriter, t: Timespec): void {
  w.u32(t.sec).u32(t.nsec);
}

/** fattr3 (84 bytes) */
export function encodeFattr3(w: XdrWriter, a: FileAttr, fsid: number): void {
  w.u32(a.type)
    .u32(a.mode & 0o7777)
    .u32(a.nlink)
    .u32(a.uid)
    .u32(a.gid)
    .u64(a.size)
    .u64(a.used)
    .u32(a.rdev.major)
    .u32(a.rdev.minor)
    .u64(fsid)
    .u64(a.fileid);
  encodeTime(w, a.atime);
  encodeTime(w, a.mtime);
  encodeTime(w, a.ctime);
}

/** post_op_attr: attributes when known. */
export function encodePostOpAttr(w: XdrWriter, a: FileAttr | undefined, fsid: number): void {
  w.bool(a !== undefined);
  if (a) encodeFattr3(w, a, fsid);
}

/** wcc_data: pre_op_attr (size, mtime, ctime) then post_op_attr; absent parts are FALSE. */
export function encodeWcc(w: XdrWriter, wcc: Wcc | undefined, fsid: number): void {
  const before = wcc?.before;
  w.bool(before !== undefined);
  if (before) {
    w.u64(before.size);
    encodeTime(w, before.mtime);
    encodeTime(w, before.ctime);
  }
  encodePostOpAttr(w, wcc?.after, fsid);
}

/** post_op_fh3 */
export function encodePostOpFh(w: XdrWriter, fh: FileHandle | undefined): void {
  w.bool(fh !== undefined);
  if (fh) w.opaque(fh);
}
