/** Decoders for the argument types NFSv3 procedures share (RFC 1813 §2.5, §2.6). */
import type { FileHandle, SetAttrs, Timespec } from '../../../../metadata/types.ts';
import type { XdrReader } from '../../../xdr/reader.ts';
import { MAX_PATH_BYTES, NFS3_FHSIZE, TimeHow } from '../constants.ts';

/** nfs_fh3: opaque<64>, as a view into the request. */
export function decodeFh(r: XdrReader): FileHandle {
  return r.opaque(NFS3_FHSIZE);
}

/** Arguments that are a single file handle (GETATTR, READLINK, FSSTAT, FSINFO, PATHCONF). */
export interface FhArgs {
  fh: FileHandle;
}

export function decodeFhArgs(r: XdrReader): FhArgs {
  return { fh: decodeFh(r) };
}

/** diropargs3: a directory and a name in it. */
export interface DirOpArgs {
  dir: FileHandle;
  name: string;
}

export function decodeDirOpArgs(r: XdrReader): DirOpArgs {
  return { dir: decodeFh(r), name: r.string(MAX_PATH_BYTES) };
}

/** nfspath3 (symlink targets). */
export function decodePath(r: XdrReader): string {
  return r.string(MAX_PATH_BYTES);
}

/** nfstime3 */
export function decodeTime(r: XdrReader): Timespec {
  return { sec: r.u32(), nsec: r.u32() };
}

const readU32 = (r: XdrReader): number => r.u32();
const readU64 = (r: XdrReader): number => r.u64();

/** set_atime / set_mtime: DONT_CHANGE, SET_TO_SERVER_TIME or SET_TO_CLIENT_TIME + nfstime3. */
function decodeSetTime(r: XdrReader): Timespec | 'server' | undefined {
  const how = r.enumBelow(3);
  if (how === TimeHow.SET_TO_SERVER_TIME) return 'server';
  if (how === TimeHow.SET_TO_CLIENT_TIME) return decodeTime(r);
  return undefined;
}

/** sattr3: only the attributes the client asked to set are present in the result. */
export function decodeSattr3(r: XdrReader): SetAttrs {
  const attrs: SetAttrs = {};
  const mode = r.optional(readU32);
  if (mode !== undefined) attrs.mode = mode & 0o7777;
  const uid = r.optional(readU32);
  if (uid !== undefined) attrs.uid = uid;
  const gid = r.optional(readU32);
  if (gid !== undefined) attrs.gid = gid;
  const size = r.optional(readU64);
  if (size !== undefined) attrs.size = size;
  const atime = decodeSetTime(r);
  if (atime !== undefined) attrs.atime = atime;
  const mtime = decodeSetTime(r);
  if (mtime !== undefined) attrs.mtime = mtime;
  return attrs;
}
