/**
 * RFC 8881 §18.35 EXCHANGE_ID: a client id for a client owner (its name and boot verifier).
 * The case analysis of §18.35.5, reduced to the records this server keeps: a confirmed
 * record with the same verifier is returned as is (CONFIRMED_R); otherwise (new client, or
 * one that rebooted) a new unconfirmed record is made, which CREATE_SESSION confirms — only
 * then does the earlier record's state go. Only SP4_NONE state protection; no pNFS.
 */
import { hostname } from 'node:os';
import type { XdrReader } from '../../../xdr/reader.ts';
import type { XdrWriter } from '../../../xdr/writer.ts';
import { decodeBitmap } from '../attrs.ts';
import { decodeVerifier } from '../codec.ts';
import { Nfs4Status, NFS4_MAXOPAQUE } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import type { Nfs4Op } from '../handler.ts';

export const EXCHGID4_FLAG_SUPP_MOVED_REFER = 0x1;
export const EXCHGID4_FLAG_SUPP_MOVED_MIGR = 0x2;
export const EXCHGID4_FLAG_BIND_PRINC_STATEID = 0x100;
export const EXCHGID4_FLAG_USE_NON_PNFS = 0x10000;
export const EXCHGID4_FLAG_MASK_PNFS = 0x70000;
export const EXCHGID4_FLAG_UPD_CONFIRMED_REC_A = 0x40000000;
export const EXCHGID4_FLAG_CONFIRMED_R = 0x80000000;
const CLIENT_FLAGS =
  EXCHGID4_FLAG_SUPP_MOVED_REFER |
  EXCHGID4_FLAG_SUPP_MOVED_MIGR |
  EXCHGID4_FLAG_BIND_PRINC_STATEID |
  EXCHGID4_FLAG_MASK_PNFS |
  EXCHGID4_FLAG_UPD_CONFIRMED_REC_A;

const SP4_NONE = 0;
const SP4_MACH_CRED = 1;
const SP4_SSV = 2;
const MAX_OIDS = 16;
const MAX_NAME = 1024;

export interface ExchangeIdArgs {
  verifier: Buffer;
  ownerId: Buffer;
  flags: number;
  stateProtect: number;
}

export interface ExchangeIdRes {
  clientid: Buffer;
  sequenceid: number;
  flags: number;
}

function skipOids(r: XdrReader): void {
  const n = r.u32();
  if (n > MAX_OIDS) return r.fail('too-long');
  for (let i = 0; i < n && r.ok; i++) r.opaque(NFS4_MAXOPAQUE);
}

/** nfs_impl_id4<1>: read and dropped. */
export function skipImplId(r: XdrReader): void {
  const n = r.u32();
  if (n > 1) return r.fail('too-long');
  if (n === 1) {
    r.string(MAX_NAME);
    r.string(MAX_NAME);
    r.opaqueFixed(12); // nfstime4
  }
}

export function decodeExchangeIdArgs(r: XdrReader): ExchangeIdArgs {
  const verifier = Buffer.from(decodeVerifier(r));
  const ownerId = Buffer.from(r.opaque(NFS4_MAXOPAQUE));
  const flags = r.u32();
  const stateProtect = r.enumBelow(3);
  if (stateProtect !== SP4_NONE) {
    decodeBitmap(r); // spo_must_enforce
    decodeBitmap(r); // spo_must_allow
  }
  if (stateProtect === SP4_SSV) {
    skipOids(r);
    skipOids(r);
    r.u32(); // ssp_window
    r.u32(); // ssp_num_gss_handles
  }
  skipImplId(r);
  return { verifier, ownerId, flags, stateProtect };
}

/** Identifies this server to clients (trunking detection); stable across restarts, so clients reclaim. */
const SERVER_OWNER = Buffer.from(`dittofs@${hostname()}`);

export const exchangeId: Nfs4Op<ExchangeIdArgs, ExchangeIdRes> = {
  name: 'EXCHANGE_ID',
  decode: decodeExchangeIdArgs,
  run(ctx, a) {
    if (a.flags & ~CLIENT_FLAGS) throw new Nfs4Error(Nfs4Status.INVAL, `flags ${a.flags.toString(16)}`);
    if (a.stateProtect === SP4_MACH_CRED || a.stateProtect === SP4_SSV) {
      throw new Nfs4Error(Nfs4Status.NOTSUPP, 'only SP4_NONE state protection');
    }
    const { state } = ctx.server;
    const name = a.ownerId.toString('latin1');
    const records = state.clientsNamed(name);
    const confirmed = records.find((c) => c.confirmed);
    // A SETCLIENTID (4.0) record of the same name is not reused: it is replaced once confirmed.
    const same =
      confirmed && confirmed.minorVersion > 0 && confirmed.verifier.equals(a.verifier) ? confirmed : undefined;
    if (a.flags & EXCHGID4_FLAG_UPD_CONFIRMED_REC_A) {
      if (!confirmed) throw new Nfs4Error(Nfs4Status.NOENT, 'no confirmed record to update');
      if (!same) throw new Nfs4Error(Nfs4Status.NOT_SAME, 'verifier changed');
    }
    const addr = ctx.call.session.clientAddr;
    let client = same;
    if (client) client.addr = addr;
    else {
      for (const c of records) if (!c.confirmed) state.dropClient(c);
      client = state.newClient(name, a.verifier, ctx.minorVersion, addr);
    }
    const flags = EXCHGID4_FLAG_USE_NON_PNFS | (client.confirmed ? EXCHGID4_FLAG_CONFIRMED_R : 0);
    return Promise.resolve({ clientid: client.clientid, sequenceid: (client.createSessionSeq + 1) >>> 0, flags });
  },
  encode(w: XdrWriter, res) {
    w.opaqueFixed(res.clientid)
      .u32(res.sequenceid)
      .u32(res.flags >>> 0);
    w.u32(SP4_NONE);
    w.u64(0).opaque(SERVER_OWNER); // server_owner4: so_minor_id, so_major_id
    w.opaque(SERVER_OWNER); // eir_server_scope
    w.u32(1).string('dittofs.io').string('DittoFS').u64(0).u32(0); // eir_server_impl_id
  },
};
