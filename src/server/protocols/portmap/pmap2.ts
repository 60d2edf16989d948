/**
 * PMAP version 2 (RFC 1833 §3): NULL, GETPORT and DUMP. SET and UNSET are refused (the
 * mappings are the server's own); CALLIT is not offered (PROC_UNAVAIL).
 */
import type { RpcProcedure, RpcProgram } from '../rpc/program.ts';
import { decodeVoid, nullProcedure } from '../rpc/program.ts';
import type { XdrReader } from '../xdr/reader.ts';
import type { XdrWriter } from '../xdr/writer.ts';
import { PMAP_PROG, type MappingSource, type PortMapping } from './mappings.ts';

/** struct mapping { prog, vers, prot, port } */
export function decodeMapping(r: XdrReader): PortMapping {
  return { prog: r.u32(), vers: r.u32(), prot: r.u32(), port: r.u32() };
}

/** SET / UNSET: registration from clients is not allowed. */
const refuse: RpcProcedure<PortMapping, boolean> = {
  name: 'REFUSE',
  decode: decodeMapping,
  run: () => Promise.resolve(false),
  encode: (w: XdrWriter, v) => void w.bool(v),
};

export function pmapV2Program(mappings: MappingSource): RpcProgram {
  const getport: RpcProcedure<PortMapping, number> = {
    name: 'GETPORT',
    decode: decodeMapping,
    run: (_call, q) => {
      const m = mappings().find((e) => e.prog === q.prog && e.vers === q.vers && e.prot === q.prot);
      return Promise.resolve(m?.port ?? 0);
    },
    encode: (w, port) => void w.u32(port),
  };
  const dump: RpcProcedure<undefined, readonly PortMapping[]> = {
    name: 'DUMP',
    decode: decodeVoid,
    run: () => Promise.resolve(mappings()),
    encode: (w, list) => {
      // pmaplist: optional-data chain of mappings
      for (const m of list) w.bool(true).u32(m.prog).u32(m.vers).u32(m.prot).u32(m.port);
      w.bool(false);
      return undefined;
    },
  };
  return { prog: PMAP_PROG, vers: 2, procedures: [nullProcedure, refuse, refuse, getport, dump] };
}
