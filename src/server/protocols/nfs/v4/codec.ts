/** XDR pieces several NFSv4 operations share (RFC 7531). */
import type { XdrReader } from '../../xdr/reader.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import { Nfs4Status, NFS4_MAXNAME, NFS4_OTHER_SIZE, NFS4_VERIFIER_SIZE } from './constants.ts';
import { Nfs4Error } from './errors.ts';
import { SESSIONID_SIZE } from './sessions.ts';
import type { Stateid } from './state-types.ts';

export function decodeStateid(r: XdrReader): Stateid {
  return { seqid: r.u32(), other: r.opaqueFixed(NFS4_OTHER_SIZE) };
}

export function encodeStateid(w: XdrWriter, s: Stateid): void {
  w.u32(s.seqid).opaqueFixed(s.other);
}

export const decodeVerifier = (r: XdrReader): Buffer => r.opaqueFixed(NFS4_VERIFIER_SIZE);

/** A clientid4 (uint64) kept as its 8 bytes. */
export const decodeClientId = (r: XdrReader): Buffer => r.opaqueFixed(8);

/** sessionid4: 16 opaque bytes (RFC 8881 §2.10.3). */
export const decodeSessionId = (r: XdrReader): Buffer => Buffer.from(r.opaqueFixed(SESSIONID_SIZE));

/** component4: over-long names fail decoding (BADXDR); names the server refuses fail in `checkComponent`. */
export const decodeComponent = (r: XdrReader): string => r.string(NFS4_MAXNAME * 4);

/** RFC 7530 §12.7: empty names are INVAL, "." and ".." and names with "/" or NUL BADNAME. */
export function checkComponent(name: string): string {
  if (name.length === 0) throw new Nfs4Error(Nfs4Status.INVAL, 'empty name');
  if (Buffer.byteLength(name) > NFS4_MAXNAME) throw new Nfs4Error(Nfs4Status.NAMETOOLONG, 'name too long');
  if (name === '.' || name === '..' || /[/\0]/.test(name)) throw new Nfs4Error(Nfs4Status.BADNAME, name);
  return name;
}
