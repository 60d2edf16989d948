/** XDR of NLM v4's arguments and results (XNFS chapter 14, nlm_prot.x). */
import type { XdrReader } from '../xdr/reader.ts';
import type { XdrWriter } from '../xdr/writer.ts';
import { LM_MAXSTRLEN, MAX_NETOBJ } from './constants.ts';

/** nlm4_lock: who (caller_name, svid, oh) locks what (fh) over [l_offset, l_offset + l_len); l_len 0 is "to the end". */
export interface Nlm4Lock {
  callerName: string;
  fh: Buffer;
  oh: Buffer;
  svid: number;
  offset: bigint;
  length: bigint;
}

export interface Nlm4LockArgs {
  cookie: Buffer;
  block: boolean;
  exclusive: boolean;
  lock: Nlm4Lock;
  reclaim: boolean;
  state: number;
}

export type Nlm4CancelArgs = Omit<Nlm4LockArgs, 'reclaim' | 'state'>;
export type Nlm4TestArgs = Omit<Nlm4LockArgs, 'reclaim' | 'state' | 'block'>;
export type Nlm4UnlockArgs = Pick<Nlm4LockArgs, 'cookie' | 'lock'>;

/** nlm4_share (DOS share reservations): mode is what others are denied, access what the caller wants. */
export interface Nlm4ShareArgs {
  cookie: Buffer;
  callerName: string;
  fh: Buffer;
  oh: Buffer;
  mode: number;
  access: number;
  reclaim: boolean;
}

/** nlm4_notify (FREE_ALL). */
export interface Nlm4Notify {
  name: string;
  state: number;
}

/** nlm4_holder: the lock TEST found in the way. */
export interface Nlm4Holder {
  exclusive: boolean;
  svid: number;
  oh: Buffer;
  offset: bigint;
  length: bigint;
}

/** nlm4_res / nlm4_testres / nlm4_shareres all start with the caller's cookie. */
export interface Nlm4Res {
  cookie: Buffer;
  stat: number;
}

export interface Nlm4TestRes extends Nlm4Res {
  holder?: Nlm4Holder;
}

export interface Nlm4ShareRes extends Nlm4Res {
  sequence: number;
}

const netobj = (r: XdrReader): Buffer => Buffer.from(r.opaque(MAX_NETOBJ));

function u64(r: XdrReader): bigint {
  const hi = r.u32();
  return (BigInt(hi) << 32n) | BigInt(r.u32());
}

function writeU64(w: XdrWriter, v: bigint): void {
  w.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
}

export function decodeLock(r: XdrReader): Nlm4Lock {
  return {
    callerName: r.string(LM_MAXSTRLEN),
    fh: netobj(r),
    oh: netobj(r),
    svid: r.i32(),
    offset: u64(r),
    length: u64(r),
  };
}

export function decodeLockArgs(r: XdrReader): Nlm4LockArgs {
  const cookie = netobj(r);
  const block = r.bool();
  const exclusive = r.bool();
  const lock = decodeLock(r);
  return { cookie, block, exclusive, lock, reclaim: r.bool(), state: r.i32() };
}

export function decodeCancelArgs(r: XdrReader): Nlm4CancelArgs {
  const cookie = netobj(r);
  const block = r.bool();
  const exclusive = r.bool();
  return { cookie, block, exclusive, lock: decodeLock(r) };
}

export function decodeTestArgs(r: XdrReader): Nlm4TestArgs {
  const cookie = netobj(r);
  const exclusive = r.bool();
  return { cookie, exclusive, lock: decodeLock(r) };
}

export function decodeUnlockArgs(r: XdrReader): Nlm4UnlockArgs {
  const cookie = netobj(r);
  return { cookie, lock: decodeLock(r) };
}

export function decodeShareArgs(r: XdrReader): Nlm4ShareArgs {
  const cookie = netobj(r);
  return {
    cookie,
    callerName: r.string(LM_MAXSTRLEN),
    fh: netobj(r),
    oh: netobj(r),
    mode: r.u32(),
    access: r.u32(),
    reclaim: r.bool(),
  };
}

export function decodeNotify(r: XdrReader): Nlm4Notify {
  return { name: r.string(LM_MAXSTRLEN + 1), state: r.i32() };
}

/** nlm4_res (also the argument of the *_RES procedures). */
export function decodeRes(r: XdrReader): Nlm4Res {
  return { cookie: netobj(r), stat: r.u32() };
}

export function encodeRes(w: XdrWriter, res: Nlm4Res): undefined {
  w.opaque(res.cookie).u32(res.stat);
  return undefined;
}

export function encodeTestRes(w: XdrWriter, res: Nlm4TestRes): undefined {
  w.opaque(res.cookie).u32(res.stat);
  if (res.holder) {
    const h = res.holder;
    w.bool(h.exclusive)
      .u32(h.svid >>> 0)
      .opaque(h.oh);
    writeU64(w, h.offset);
    writeU64(w, h.length);
  }
  return undefined;
}

export function encodeShareRes(w: XdrWriter, res: Nlm4ShareRes): undefined {
  w.opaque(res.cookie)
    .u32(res.stat)
    .u32(res.sequence >>> 0);
  return undefined;
}
