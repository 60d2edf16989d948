/**
 * RFC 8881 §18.36 CREATE_SESSION: a session for a client id, confirming the record
 * EXCHANGE_ID made (an earlier record of the same client loses its state then). The client
 * id's own sequence orders CREATE_SESSIONs: the next one creates, the last one again gets
 * the same reply (§18.36.4), anything else is SEQ_MISORDERED. The fore channel is what the
 * client asked for, clipped to this server's limits; a backchannel request is accepted
 * (CONN_BACK_CHAN echoed, its attributes as asked) but never used: no delegations or
 * layouts are handed out, so there is nothing to call back about. Never persistent, no RDMA.
 */
import type { XdrReader } from '../../../xdr/reader.ts';
import type { XdrWriter } from '../../../xdr/writer.ts';
import { decodeClientId } from '../codec.ts';
import { Nfs4Status, NFS4_MAXOPAQUE, NFS4_MAX_OPS } from '../constants.ts';
import type { Nfs4Server } from '../context.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';
import { MAX_SLOTS, type ChannelAttrs } from '../sessions.ts';

export const CREATE_SESSION4_FLAG_PERSIST = 0x1;
export const CREATE_SESSION4_FLAG_CONN_BACK_CHAN = 0x2;
const AUTH_NONE = 0;
const AUTH_SYS = 1;
const RPCSEC_GSS = 6;
const MAX_SEC_PARMS = 16;
const MAX_GIDS = 16;

export interface CreateSessionArgs {
  clientid: Buffer;
  sequence: number;
  flags: number;
  fore: ChannelAttrs;
  back: ChannelAttrs;
}

export interface CreateSessionRes {
  sessionid: Buffer;
  sequence: number;
  flags: number;
  fore: ChannelAttrs;
  back: ChannelAttrs;
}

export function decodeChannelAttrs(r: XdrReader): ChannelAttrs {
  const a = {
    headerPadSize: r.u32(),
    maxRequestSize: r.u32(),
    maxResponseSize: r.u32(),
    maxResponseSizeCached: r.u32(),
    maxOperations: r.u32(),
    maxRequests: r.u32(),
    rdmaIrd: [] as number[],
  };
  const ird = r.u32();
  if (ird > 1) r.fail('too-long');
  else if (ird === 1) a.rdmaIrd.push(r.u32());
  return a;
}

export function encodeChannelAttrs(w: XdrWriter, a: ChannelAttrs): void {
  w.u32(a.headerPadSize).u32(a.maxRequestSize).u32(a.maxResponseSize).u32(a.maxResponseSizeCached);
  w.u32(a.maxOperations).u32(a.maxRequests).u32(a.rdmaIrd.length);
  for (const v of a.rdmaIrd) w.u32(v);
}

/** callback_sec_parms4<>: read and dropped (the backchannel is never used). */
function skipSecParms(r: XdrReader): void {
  const n = r.u32();
  if (n > MAX_SEC_PARMS) return r.fail('too-long');
  for (let i = 0; i < n && r.ok; i++) {
    const flavor = r.u32();
    if (flavor === AUTH_SYS) {
      r.u32(); // stamp
      r.string(255); // machinename
      r.u32(); // uid
      r.u32(); // gid
      const gids = r.u32();
      if (gids > MAX_GIDS) return r.fail('too-long');
      for (let g = 0; g < gids; g++) r.u32();
    } else if (flavor === RPCSEC_GSS) {
      r.u32(); // service
      r.opaque(NFS4_MAXOPAQUE);
      r.opaque(NFS4_MAXOPAQUE);
    } else if (flavor !== AUTH_NONE) return r.fail('range');
  }
}

export function decodeCreateSessionArgs(r: XdrReader): CreateSessionArgs {
  const clientid = decodeClientId(r);
  const sequence = r.u32();
  const flags = r.u32();
  const fore = decodeChannelAttrs(r);
  const back = decodeChannelAttrs(r);
  r.u32(); // csa_cb_program
  skipSecParms(r);
  return { clientid: Buffer.from(clientid), sequence, flags, fore, back };
}

/** The fore channel: what the client asked for, within this server's limits (RFC 8881 §18.36.3). */
export function foreChannel(server: Nfs4Server, asked: ChannelAttrs): ChannelAttrs {
  const maxSize = server.maxRecordSize;
  return {
    headerPadSize: 0,
    maxRequestSize: Math.min(asked.maxRequestSize, maxSize),
    maxResponseSize: Math.min(asked.maxResponseSize, maxSize),
    maxResponseSizeCached: Math.min(asked.maxResponseSizeCached, maxSize),
    maxOperations: Math.min(asked.maxOperations, NFS4_MAX_OPS),
    maxRequests: Math.max(1, Math.min(asked.maxRequests, MAX_SLOTS)),
    rdmaIrd: [],
  };
}

export const createSession: Nfs4Op<CreateSessionArgs, CreateSessionRes> = {
  name: 'CREATE_SESSION',
  decode: decodeCreateSessionArgs,
  run(ctx, a) {
    const { state } = ctx.server;
    const client = state.clientRecord(a.clientid);
    if (a.sequence === client.createSessionSeq && client.createSessionReply !== undefined) {
      return Promise.resolve(client.createSessionReply as CreateSessionRes);
    }
    if (a.sequence !== (client.createSessionSeq + 1) >>> 0) {
      throw new Nfs4Error(Nfs4Status.SEQ_MISORDERED, `${a.sequence} after ${client.createSessionSeq}`);
    }
    if (client.minorVersion === 0) throw new Nfs4Error(Nfs4Status.STALE_CLIENTID, 'a SETCLIENTID client');
    const fore = foreChannel(ctx.server, a.fore);
    if (fore.maxRequestSize < 1024 || fore.maxResponseSize < 1024) throw new Nfs4Error(Nfs4Status.TOOSMALL);
    state.confirm(client);
    const flags = a.flags & CREATE_SESSION4_FLAG_CONN_BACK_CHAN;
    const back = { ...a.back, rdmaIrd: [] };
    const session = state.sessions.create(client, fore, back, flags);
    const res: CreateSessionRes = { sessionid: session.id, sequence: a.sequence, flags, fore, back };
    client.createSessionSeq = a.sequence;
    client.createSessionReply = res;
    return Promise.resolve(res);
  },
  encode(w, res) {
    w.opaqueFixed(res.sessionid).u32(res.sequence).u32(res.flags);
    encodeChannelAttrs(w, res.fore);
    encodeChannelAttrs(w, res.back);
  },
};
