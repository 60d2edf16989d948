/** What LOCK, LOCKT and LOCKU share (RFC 7530 §16.10-16.12): ranges, lock types, LOCK4denied. */
import { TO_END, type ByteRangeLock, type LockKind } from '../../../metadata/locks/lock-manager.ts';
import type { XdrReader } from '../../xdr/reader.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { Nfs4Status } from './constants.ts';
import { fileKeyOf, shareFh, type Nfs4Context } from './context.ts';
import { Nfs4Error } from './errors.ts';
import { requireRegular } from '../files.ts';

const READ_LT = 1;
const WRITE_LT = 2;
const WRITEW_LT = 4;

const U64_MAX = (1n << 64n) - 1n;

/** offset4 / length4, exact. */
export function decodeU64Range(r: XdrReader): bigint {
  const hi = r.u32();
  const lo = r.u32();
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export interface Range {
  start: bigint;
  end: bigint;
}

/**
 * [offset, offset + length), the all-ones length meaning "to the end of the file" (TO_END):
 * INVAL for an empty range or one past 2^64 - 1 (RFC 7530 §16.10.4).
 */
export function rangeOf(offset: bigint, length: bigint): Range {
  if (length === 0n) throw new Nfs4Error(Nfs4Status.INVAL, 'zero-length lock');
  if (length === U64_MAX) return { start: offset, end: TO_END };
  if (offset + length > U64_MAX) throw new Nfs4Error(Nfs4Status.INVAL, 'lock range past 2^64');
  return { start: offset, end: offset + length };
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
  writeU64(w, l.start > U64_MAX ? U64_MAX : l.start);
  if (l.end - l.start >= U64_MAX) w.opaqueFixed(ALL_ONES);
  else writeU64(w, l.end - l.start);
  w.u32(l.kind === 'write' ? WRITE_LT : READ_LT);
  const [proto, clientid, owner] = l.owner.split(':');
  if (proto === 'nfs4' && clientid !== undefined && owner !== undefined) {
    w.opaqueFixed(Buffer.from(clientid, 'hex')).opaque(Buffer.from(owner, 'hex'));
  } else {
    w.u64(0).opaque(Buffer.from(l.owner));
  }
}

function writeU64(w: XdrWriter, v: bigint): void {
  w.u32(Number(v >> 32n)).u32(Number(v & 0xffffffffn));
}
