/** XDR of NSM's arguments and results (XNFS 11, sm_inter.x). */
import type { XdrReader } from '../../xdr/reader.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { SM_MAXSTRLEN } from './constants.ts';

/** my_id: who asks (its name and the RPC procedure it wants called on a change). */
export interface MyId {
  myName: string;
  prog: number;
  vers: number;
  proc: number;
}

/** mon_id: the host to monitor, for whom. */
export interface MonId {
  monName: string;
  myId: MyId;
}

/** stat_chge (SM_NOTIFY): a host restarted and its new state number. */
export interface StatChange {
  monName: string;
  state: number;
}

export const decodeName = (r: XdrReader): string => r.string(SM_MAXSTRLEN);

export function decodeMyId(r: XdrReader): MyId {
  return { myName: r.string(SM_MAXSTRLEN), prog: r.i32(), vers: r.i32(), proc: r.i32() };
}

export function decodeMonId(r: XdrReader): MonId {
  return { monName: r.string(SM_MAXSTRLEN), myId: decodeMyId(r) };
}

/** mon: a mon_id and 16 private bytes returned in the callback. */
export function decodeMon(r: XdrReader): MonId & { priv: Buffer } {
  const id = decodeMonId(r);
  return { ...id, priv: Buffer.from(r.opaqueFixed(16)) };
}

export function decodeStatChange(r: XdrReader): StatChange {
  return { monName: r.string(SM_MAXSTRLEN), state: r.i32() };
}

/** sm_stat_res. */
export function encodeStatRes(w: XdrWriter, res: { stat: number; state: number }): undefined {
  w.u32(res.stat).u32(res.state >>> 0);
  return undefined;
}

/** sm_stat. */
export function encodeState(w: XdrWriter, state: number): undefined {
  w.u32(state >>> 0);
  return undefined;
}
