/**
 * RPCBIND versions 3 and 4 (RFC 1833 §2): NULL, GETADDR and DUMP with universal
 * addresses; SET and UNSET are refused. The host part of an address is the server address
 * the client connected to.
 */
import type { RpcCall, RpcProcedure, RpcProgram } from '../rpc/program.ts';
import { decodeVoid, nullProcedure } from '../rpc/program.ts';
import type { XdrReader } from '../xdr/reader.ts';
import type { XdrWriter } from '../xdr/writer.ts';
import { IPPROTO_TCP, netidOf, PMAP_PROG, universalAddress, type MappingSource } from './mappings.ts';

const MAX_RPCB_STRING = 1024;
const OWNER = 'dittofs';

/** struct rpcb { r_prog, r_vers, r_netid, r_addr, r_owner } */
export interface Rpcb {
  prog: number;
  vers: number;
  netid: string;
  addr: string;
  owner: string;
}

export function decodeRpcb(r: XdrReader): Rpcb {
  return {
    prog: r.u32(),
    vers: r.u32(),
    netid: r.string(MAX_RPCB_STRING),
    addr: r.string(MAX_RPCB_STRING),
    owner: r.string(MAX_RPCB_STRING),
  };
}

const refuse: RpcProcedure<Rpcb, boolean> = {
  name: 'REFUSE',
  decode: decodeRpcb,
  run: () => Promise.resolve(false),
  encode: (w, v) => void w.bool(v),
};

export function rpcbindProgram(vers: 3 | 4, mappings: MappingSource): RpcProgram {
  const getaddr: RpcProcedure<Rpcb, string> = {
    name: 'GETADDR',
    decode: decodeRpcb,
    run: (call: RpcCall, q) => {
      const host = call.session.localAddr;
      // No netid: TCP, the transport every client of ours speaks.
      const transportOk = (prot: number) => (q.netid === '' ? prot === IPPROTO_TCP : netidOf(prot, host) === q.netid);
      const m = mappings().find((e) => e.prog === q.prog && e.vers === q.vers && transportOk(e.prot));
      return Promise.resolve(m ? universalAddress(host, m.port) : '');
    },
    encode: (w: XdrWriter, addr) => void w.string(addr),
  };
  const dump: RpcProcedure<undefined, Rpcb[]> = {
    name: 'DUMP',
    decode: decodeVoid,
    run: (call: RpcCall) => {
      const host = call.session.localAddr;
      return Promise.resolve(
        mappings().map((m) => ({
          prog: m.prog,
          vers: m.vers,
          netid: netidOf(m.prot, host),
          addr: universalAddress(host, m.port),
          owner: OWNER,
        })),
      );
    },
    encode: (w, list) => {
      // rpcblist_ptr: optional-data chain of rpcb
      for (const e of list) w.bool(true).u32(e.prog).u32(e.vers).string(e.netid).string(e.addr).string(e.owner);
      w.bool(false);
      return undefined;
    },
  };
  return { prog: PMAP_PROG, vers, procedures: [nullProcedure, refuse, refuse, getaddr, dump] };
}
