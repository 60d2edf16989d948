/**
 * Connection-oriented DCE/RPC PDUs (C706 §12.6, MS-RPCE §2.2.2) as a named pipe carries
 * them: BIND → BIND_ACK accepting NDR 2.0 for the interfaces we serve, REQUEST → RESPONSE,
 * anything else → FAULT. Little-endian data representation only (what every client sends).
 */
import { LeReader } from '../reader.ts';
import { LeWriter } from '../writer.ts';

export const PType = { REQUEST: 0, RESPONSE: 2, FAULT: 3, BIND: 11, BIND_ACK: 12, BIND_NAK: 13 } as const;

/** 8a885d04-1ceb-11c9-9fe8-08002b104860 version 2: the NDR transfer syntax, as its wire bytes. */
export const NDR_SYNTAX = Buffer.from('045d888aeb1cc9119fe808002b10486002000000', 'hex');
const FIRST_LAST = 0x3;
const NCA_OP_RNG_ERROR = 0x1c010002;
const NCA_PROTO_ERROR = 0x1c01000b;

export interface RpcInterface {
  /** The abstract syntax: the interface UUID and version, as wire bytes (20). */
  syntax: Buffer;
  /** Runs an operation; the NDR stub of the response, or undefined for an unknown opnum. */
  call(opnum: number, stub: Buffer): Buffer | undefined;
}

function pdu(type: number, callId: number, body: Buffer): Buffer {
  const w = new LeWriter(16 + body.length).u8(5).u8(0).u8(type).u8(FIRST_LAST);
  w.u32(0x10)
    .u16(16 + body.length)
    .u16(0)
    .u32(callId)
    .bytes(body);
  return Buffer.from(w.finish());
}

function fault(callId: number, status: number): Buffer {
  return pdu(PType.FAULT, callId, new LeWriter(16).u32(0).u16(0).u8(0).u8(0).u32(status).u32(0).finish());
}

/** One PDU in, one PDU out (or undefined when the input is not a PDU at all). */
export function handlePdu(
  input: Buffer,
  endpoint: string,
  iface: RpcInterface,
  bound: { contexts: Set<number> },
): Buffer | undefined {
  const r = new LeReader(input);
  const version = r.u8();
  r.u8();
  const type = r.u8();
  r.u8();
  const drep = r.u32();
  const fragLength = r.u16();
  r.u16();
  const callId = r.u32();
  if (!r.ok || version !== 5 || fragLength > input.length) return undefined;
  if ((drep & 0xf0) !== 0x10) return fault(callId, NCA_PROTO_ERROR);
  if (type === PType.BIND) {
    const maxXmit = r.u16();
    const maxRecv = r.u16();
    r.u32();
    const count = r.u8();
    r.skip(3);
    const results: { accepted: boolean }[] = [];
    for (let i = 0; i < count; i++) {
      const contextId = r.u16();
      const nSyntaxes = r.u8();
      r.u8();
      const abstract = r.bytes(20);
      let accepted = false;
      for (let k = 0; k < nSyntaxes; k++) {
        const transfer = r.bytes(20);
        if (abstract.equals(iface.syntax) && transfer.equals(NDR_SYNTAX)) accepted = true;
      }
      if (accepted) bound.contexts.add(contextId);
      results.push({ accepted });
    }
    if (!r.ok) return fault(callId, NCA_PROTO_ERROR);
    const port = Buffer.from(`${endpoint}\0`, 'latin1');
    const w = new LeWriter(128).u16(Math.min(maxXmit, 4280)).u16(Math.min(maxRecv, 4280)).u32(0x12345);
    w.u16(port.length).bytes(port);
    w.zeros((4 - ((16 + w.length) % 4)) % 4);
    w.u8(results.length).u8(0).u16(0);
    for (const res of results) {
      if (res.accepted) w.u16(0).u16(0).bytes(NDR_SYNTAX);
      else w.u16(2).u16(2).zeros(20); // provider rejection: proposed transfer syntaxes not supported
    }
    return pdu(PType.BIND_ACK, callId, w.finish());
  }
  if (type === PType.REQUEST) {
    r.u32(); // alloc hint
    const contextId = r.u16();
    const opnum = r.u16();
    const stub = input.subarray(r.pos, fragLength);
    if (!r.ok || !bound.contexts.has(contextId)) return fault(callId, NCA_PROTO_ERROR);
    const out = iface.call(opnum, stub);
    if (!out) return fault(callId, NCA_OP_RNG_ERROR);
    const w = new LeWriter(out.length + 8).u32(out.length).u16(contextId).u8(0).u8(0).bytes(out);
    return pdu(PType.RESPONSE, callId, w.finish());
  }
  return fault(callId, NCA_PROTO_ERROR);
}
