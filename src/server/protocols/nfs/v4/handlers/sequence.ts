/**
 * RFC 8881 §18.46 SEQUENCE: the first operation of every NFSv4.1+ COMPOUND after the
 * session is made. It names a session and a slot with the slot's next sequence id, renews
 * the client's lease (§8.3), and takes the slot for this COMPOUND (sessions.ts): a new
 * request runs, a retry is answered from the slot's reply cache by the COMPOUND loop.
 * A session whose client's lease ran out is gone: BADSESSION.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import type { XdrWriter } from '../../../xdr/writer.ts';
import { decodeSessionId } from '../codec.ts';
import type { Nfs4Op } from '../handler.ts';
import { fingerprintOf, SessionTable } from '../sessions.ts';

export interface SequenceArgs {
  sessionid: Buffer;
  sequenceid: number;
  slotid: number;
  highestSlotid: number;
  cacheThis: boolean;
}

export interface SequenceRes {
  sessionid: Buffer;
  sequenceid: number;
  slotid: number;
  highestSlotid: number;
  targetHighestSlotid: number;
  statusFlags: number;
}

export function decodeSequenceArgs(r: XdrReader): SequenceArgs {
  return {
    sessionid: decodeSessionId(r),
    sequenceid: r.u32(),
    slotid: r.u32(),
    highestSlotid: r.u32(),
    cacheThis: r.bool(),
  };
}

export const sequence: Nfs4Op<SequenceArgs, SequenceRes> = {
  name: 'SEQUENCE',
  decode: decodeSequenceArgs,
  run(ctx, a) {
    const { state } = ctx.server;
    state.sweep(); // a lease that ran out ends the session first
    const session = state.sessions.get(a.sessionid);
    state.client(session.client.clientid); // renews the lease
    ctx.slot = state.sessions.useSlot(session, a.slotid, a.sequenceid, a.cacheThis, fingerprintOf(ctx.request));
    const highest = SessionTable.highestSlot(session);
    return Promise.resolve({
      sessionid: session.id,
      sequenceid: a.sequenceid,
      slotid: a.slotid,
      highestSlotid: highest,
      targetHighestSlotid: highest,
      statusFlags: 0,
    });
  },
  encode(w: XdrWriter, res) {
    w.opaqueFixed(res.sessionid).u32(res.sequenceid).u32(res.slotid);
    w.u32(res.highestSlotid).u32(res.targetHighestSlotid).u32(res.statusFlags);
  },
};
