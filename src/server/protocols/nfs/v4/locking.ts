/** What LOCK, LOCKT and LOCKU share (RFC 7530 §16.10-16.12): ranges, lock types, LOCK4denied. */
import type { ByteRangeLock, LockKind } from '../../../metadata/locks/lock-manager.ts';
import type { XdrReader } from '../../xdr/reader.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { Nfs4Status } from './constants.ts';
import { fileKeyOf, shareFh, type Nfs4Context } from './context.ts';
import { Nfs4Error } from './errors.ts';
import { requireRegular } from '../files.ts';

const TWO_32 = 2 ** 32;
const READ_LT = 1;
const WRITE_LT = 2;
const WRITEW_LT = 4;

/** offset4 / length4 as numbers; the all-ones length (to end of file) and ranges past 2^53 become Infinity. */
export function decodeU64Range(r: XdrReader): number {
  const hi = r.u32();
  const lo = r.u32();
  const v = hi * TWO_32 + lo;
  return v > Number.MAX_SAFE_INTEGER ? Infinity : v;
}

export interface Range {
  start: number;
  end: number;
}

/** [offset, offset + length): INVAL for an empty range (RFC 7530 §16.10.4). */
export function rangeOf(offset: number, length: number): Range {
  if (length === 0) throw new Nfs4Error(Nfs4Status.INVAL, 'zero-length lock');
  return { start: offset, end: length === Infinity ? Infinity : offset + length };
}

export function lockKindOf(locktype: number): LockKind {
  return locktype === WRITE_LT || locktype === WRITEW_LT ? 'write' : 'read';
}

/** The current file as the lock tables know it. */
export async function lockedFileKey(ctx: Nfs4Context): Promise<string> {
  const cur = shareFh(ctx, Nfs4Status.ISDIR);
  const attr = await ctx.server.runtime.metadata.getAttr(ctx.auth, cur.fh);
  requireRegular(attr);
  return fileKeyOf(cur, attr.fileid);
}

/** DENIED with the conflicting lock as LOCK4denied; owners of other protocols appear with clientid 0. */
export function denied(l: ByteRangeLock): Nfs4Error {
  return new Nfs4Error(Nfs4Status.DENIED, 'lock conflict', l);
}

const ALL_ONES = Buffer.alloc(8, 0xff);

export function encodeDenied(w: XdrWriter, status: number, detail: unknown): void {
  if (status !== Nfs4Status.DENIED) return;
  const l = detail as ByteRangeLock;
  w.u64(l.start);
  if (l.end === Infinity) w.opaqueFixed(ALL_ONES);
  else w.u64(l.end - l.start);
  w.u32(l.kind === 'write' ? WRITE_LT : READ_LT);
  const [proto, clientid, owner] = l.owner.split(':');
  if (proto === 'nfs4' && clientid !== undefined && owner !== undefined) {
    w.opaqueFixed(Buffer.from(clientid, 'hex')).opaque(Buffer.from(owner, 'hex'));
  } else {
    w.u64(0).opaque(Buffer.from(l.owner));
  }
}
