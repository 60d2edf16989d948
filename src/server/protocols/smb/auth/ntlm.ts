/**
 * MS-NLMP server side: the CHALLENGE message (§2.2.1.2), AUTHENTICATE parsing (§2.2.1.3),
 * NTLMv2 verification against a stored NT hash (§3.3.2) and the session keys (§3.4.5).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { fileTime } from '../writer.ts';
import { LeReader } from '../reader.ts';
import { rc4, Rc4 } from '../crypto/rc4.ts';

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

/** §2.2.2.5 NEGOTIATE flags we use. */
export const NegFlag = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const;

/** Flags the server offers; the reply keeps those the client asked for among them. */
const SERVER_FLAGS =
  NegFlag.UNICODE |
  NegFlag.REQUEST_TARGET |
  NegFlag.SIGN |
  NegFlag.SEAL |
  NegFlag.NTLM |
  NegFlag.ALWAYS_SIGN |
  NegFlag.EXTENDED_SESSIONSECURITY |
  NegFlag.N128 |
  NegFlag.KEY_EXCH |
  NegFlag.N56;

export type MessageType = 1 | 2 | 3;

export function ntlmMessageType(token: Buffer): number {
  if (token.length < 12 || !token.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) return 0;
  return token.readUInt32LE(8);
}

/** The client's NEGOTIATE flags (§2.2.1.1), or 0 when the message is malformed. */
export function negotiateFlags(token: Buffer): number {
  return ntlmMessageType(token) === 1 && token.length >= 16 ? token.readUInt32LE(12) : 0;
}

export interface ServerName {
  /** NetBIOS computer name (upper case). */
  computer: string;
  /** NetBIOS domain name; a standalone server uses its computer name. */
  domain: string;
  dnsComputer: string;
}

function avPair(id: number, value: Buffer): Buffer {
  const b = Buffer.alloc(4 + value.length);
  b.writeUInt16LE(id, 0);
  b.writeUInt16LE(value.length, 2);
  value.copy(b, 4);
  return b;
}

/** §2.2.1.2 CHALLENGE: target name, AV pairs (names and timestamp) and the 8-byte challenge. */
export function challengeMessage(clientFlags: number, challenge: Buffer, name: ServerName, now = Date.now()): Buffer {
  const u = (s: string) => Buffer.from(s, 'utf16le');
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64LE(fileTime({ sec: Math.floor(now / 1000), nsec: (now % 1000) * 1e6 }));
  const targetInfo = Buffer.concat([
    avPair(2, u(name.domain)),
    avPair(1, u(name.computer)),
    avPair(4, u(name.dnsComputer)),
    avPair(3, u(name.dnsComputer)),
    avPair(7, ts),
    avPair(0, Buffer.alloc(0)),
  ]);
  const targetName = u(name.domain);
  const flags =
    (clientFlags & SERVER_FLAGS) |
    NegFlag.UNICODE |
    NegFlag.NTLM |
    NegFlag.TARGET_INFO |
    NegFlag.TARGET_TYPE_SERVER |
    NegFlag.VERSION |
    (clientFlags & NegFlag.REQUEST_TARGET);
  const head = Buffer.alloc(56);
  NTLMSSP_SIGNATURE.copy(head);
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(targetName.length, 12);
  head.writeUInt16LE(targetName.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(flags >>> 0, 20);
  challenge.copy(head, 24);
  head.writeUInt16LE(targetInfo.length, 40);
  head.writeUInt16LE(targetInfo.length, 42);
  head.writeUInt32LE(56 + targetName.length, 44);
  // Version: 6.1 build 7600, NTLMSSP revision 15 (what Windows 7 / Samba report).
  Buffer.from([6, 1, 0xb0, 0x1d, 0, 0, 0, 15]).copy(head, 48);
  return Buffer.concat([head, targetName, targetInfo]);
}

export interface AuthenticateMessage {
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  flags: number;
}

/** §2.2.1.3 AUTHENTICATE, or undefined when a field points outside the message. */
export function parseAuthenticate(token: Buffer): AuthenticateMessage | undefined {
  if (ntlmMessageType(token) !== 3) return undefined;
  const r = new LeReader(token, 12);
  const field = (): Buffer => {
    const len = r.u16();
    r.u16();
    const off = r.u32();
    return r.at(off, len);
  };
  const lmResponse = field();
  const ntResponse = field();
  const domain = field();
  const user = field();
  const workstation = field();
  const encryptedRandomSessionKey = field();
  const flags = r.u32();
  if (!r.ok) return undefined;
  const text = (b: Buffer) => (flags & NegFlag.UNICODE ? b.toString('utf16le') : b.toString('latin1'));
  return {
    lmResponse,
    ntResponse,
    domain: text(domain),
    user: text(user),
    workstation: text(workstation),
    encryptedRandomSessionKey,
    flags,
  };
}

const hmacMd5 = (key: Buffer, ...data: Buffer[]): Buffer => {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
};

/** §3.3.2 NTOWFv2: HMAC-MD5 of the NT hash over UPPER(user) + domain in UTF-16LE. */
export function ntowfv2(ntHash: Buffer, user: string, domain: string): Buffer {
  return hmacMd5(ntHash, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

/**
 * Checks an NTLMv2 response (§3.3.2) and returns the exported session key (§3.4.5.1:
 * KeyExchangeKey = SessionBaseKey for NTLMv2, decrypted with RC4 when KEY_EXCH was
 * negotiated), or undefined when the proof does not match.
 */
export function verifyNtlmv2(
  msg: AuthenticateMessage,
  ntHash: Buffer,
  serverChallenge: Buffer,
): { sessionKey: Buffer } | undefined {
  if (msg.ntResponse.length < 16 + 28) return undefined; // NTProofStr + the fixed part of the blob
  const proof = msg.ntResponse.subarray(0, 16);
  const blob = msg.ntResponse.subarray(16);
  // Clients compute with the domain they sent; some send it empty or use another case of the user.
  for (const domain of new Set([msg.domain, msg.domain.toUpperCase(), ''])) {
    const key = ntowfv2(ntHash, msg.user, domain);
    const expected = hmacMd5(key, serverChallenge, blob);
    if (!timingSafeEqual(expected, proof)) continue;
    const baseKey = hmacMd5(key, proof);
    const sessionKey =
      msg.flags & NegFlag.KEY_EXCH && msg.encryptedRandomSessionKey.length === 16
        ? rc4(baseKey, msg.encryptedRandomSessionKey)
        : baseKey;
    return { sessionKey };
  }
  return undefined;
}

const md5 = (...parts: Buffer[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

const magic = (s: string) => Buffer.from(`session key to ${s} key magic constant\0`, 'latin1');

/**
 * §3.4.4.2 message signatures with extended session security, used here for SPNEGO's
 * mechListMIC: the server signs with its own key and seals the checksum with RC4 when
 * KEY_EXCH was negotiated; each direction keeps its own sequence number and RC4 state.
 */
export class NtlmSigner {
  private readonly signKey: Buffer;
  private readonly sealer: Rc4;
  private seq = 0;

  constructor(
    sessionKey: Buffer,
    private readonly flags: number,
    direction: 'server-to-client' | 'client-to-server',
  ) {
    this.signKey = md5(sessionKey, magic(`${direction} signing`));
    this.sealer = new Rc4(md5(sessionKey, magic(`${direction} sealing`)));
  }

  sign(message: Buffer): Buffer {
    const seq = Buffer.alloc(4);
    seq.writeUInt32LE(this.seq++, 0);
    let checksum = hmacMd5(this.signKey, seq, message).subarray(0, 8);
    if (this.flags & NegFlag.KEY_EXCH) checksum = this.sealer.update(checksum);
    return Buffer.concat([Buffer.from([1, 0, 0, 0]), checksum, seq]);
  }
}
