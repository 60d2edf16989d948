/**
 * RFC 4178 SPNEGO tokens, as far as NTLMSSP needs them: the server's initial NegTokenInit
 * (offering NTLMSSP), pulling the mechToken out of a client's NegTokenInit / NegTokenResp,
 * and the server's NegTokenResp. A minimal DER reader (X.690 §8.1) that never throws.
 */

/** 1.3.6.1.5.5.2 SPNEGO and 1.3.6.1.4.1.311.2.2.10 NTLMSSP, DER-encoded OIDs. */
const SPNEGO_OID = Buffer.from('2b0601050502', 'hex');
export const NTLMSSP_OID = Buffer.from('2b06010401823702020a', 'hex');

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  if (n < 0x10000) return Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
}

export function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

interface DerNode {
  tag: number;
  content: Buffer;
  /** The whole TLV (for mechListMIC, which signs the encoded mechTypes). */
  raw: Buffer;
}

/** The TLVs in `buf` one after another; stops at the first malformed one. */
function children(buf: Buffer): DerNode[] {
  const out: DerNode[] = [];
  let p = 0;
  while (p + 2 <= buf.length) {
    const tag = buf[p] as number;
    let len = buf[p + 1] as number;
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n < 1 || n > 3 || p + 2 + n > buf.length) break;
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | (buf[p + 2 + i] as number);
      hdr += n;
    }
    if (p + hdr + len > buf.length) break;
    out.push({ tag, content: buf.subarray(p + hdr, p + hdr + len), raw: buf.subarray(p, p + hdr + len) });
    p += hdr + len;
  }
  return out;
}

export interface ClientToken {
  /** The NTLMSSP message inside. */
  mechToken: Buffer | undefined;
  /** The DER of the client's mechTypes (NegTokenInit), which mechListMIC covers. */
  mechTypes: Buffer | undefined;
  /** The client's mechListMIC (NegTokenResp), if any. */
  mechListMic: Buffer | undefined;
  /** Whether NTLMSSP is among the offered mechanisms (true for a NegTokenResp or raw NTLMSSP). */
  offersNtlm: boolean;
  /** The client sent bare NTLMSSP (Linux's cifs "RawNTLMSSP"): answer the same way, unwrapped. */
  raw: boolean;
}

/** Reads a client's SPNEGO token; a raw NTLMSSP message (no SPNEGO wrapper) is accepted too. */
export function parseClientToken(token: Buffer): ClientToken {
  const none: ClientToken = {
    mechToken: undefined,
    mechTypes: undefined,
    mechListMic: undefined,
    offersNtlm: false,
    raw: false,
  };
  if (token.subarray(0, 7).toString('latin1') === 'NTLMSSP')
    return { ...none, mechToken: token, offersNtlm: true, raw: true };
  let top = children(token)[0];
  if (top?.tag === 0x60) {
    // [APPLICATION 0] { OID spnego, [0] NegTokenInit }
    const inner = children(top.content);
    if (!inner[0] || inner[0].tag !== 0x06 || !inner[0].content.equals(SPNEGO_OID)) return none;
    top = inner[1];
  }
  if (!top || (top.tag !== 0xa0 && top.tag !== 0xa1)) return none;
  const seq = children(top.content)[0];
  if (seq?.tag !== 0x30) return none;
  const result: ClientToken = { ...none, offersNtlm: top.tag === 0xa1 };
  for (const field of children(seq.content)) {
    const value = children(field.content)[0];
    if (!value) continue;
    if (top.tag === 0xa0 && field.tag === 0xa0 && value.tag === 0x30) {
      result.mechTypes = value.raw;
      result.offersNtlm = children(value.content).some((m) => m.tag === 0x06 && m.content.equals(NTLMSSP_OID));
    } else if (field.tag === 0xa2 && value.tag === 0x04) result.mechToken = value.content;
    else if (top.tag === 0xa1 && field.tag === 0xa3 && value.tag === 0x04) result.mechListMic = value.content;
  }
  return result;
}

/** The NEGOTIATE response's security buffer: NegTokenInit offering NTLMSSP (RFC 4178 §4.2.1). */
export function negTokenInit(): Buffer {
  const mechTypes = der(0x30, der(0x06, NTLMSSP_OID));
  const hints = der(0xa3, der(0x30, der(0xa0, der(0x1b, Buffer.from('not_defined_in_RFC4178@please_ignore')))));
  return der(0x60, der(0x06, SPNEGO_OID), der(0xa0, der(0x30, der(0xa0, mechTypes), hints)));
}

export enum NegState {
  ACCEPT_COMPLETED = 0,
  ACCEPT_INCOMPLETE = 1,
  REJECT = 2,
}

/** RFC 4178 §4.2.2 NegTokenResp. */
export function negTokenResp(state: NegState, responseToken?: Buffer, mechListMic?: Buffer, withMech = false): Buffer {
  const fields = [der(0xa0, der(0x0a, Buffer.from([state])))];
  if (withMech) fields.push(der(0xa1, der(0x06, NTLMSSP_OID)));
  if (responseToken) fields.push(der(0xa2, der(0x04, responseToken)));
  if (mechListMic) fields.push(der(0xa3, der(0x04, mechListMic)));
  return der(0xa1, der(0x30, ...fields));
}
