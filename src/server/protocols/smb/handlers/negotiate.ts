/**
 * MS-SMB2 §3.3.5.4 NEGOTIATE: the highest common dialect within the adapter's min/max,
 * with 3.1.1's negotiate contexts (§2.2.3.1: preauth integrity SHA-512, a cipher, a
 * signing algorithm), and §3.3.5.3.1 the answer to an SMB1 NEGOTIATE that offers SMB2.
 */
import { randomBytes } from 'node:crypto';
import {
  Cap,
  Cipher,
  Command,
  ContextType,
  Dialect,
  DIALECT_NAMES,
  DIALECTS,
  Flags,
  HEADER_SIZE,
  SIGNING_ENABLED,
  SIGNING_REQUIRED,
  SigningAlg,
  Status,
} from '../constants.ts';
import type { SmbConnectionState } from '../connection-state.ts';
import { preauthHash } from '../crypto/preauth.ts';
import { negTokenInit } from '../auth/spnego.ts';
import { encodeHeader } from '../header.ts';
import { SmbStatusError, type SmbHandler, type SmbServerContext } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { fileTime, LeWriter } from '../writer.ts';

/** Ciphers in the order we prefer them (GCM is faster than CCM with AES-NI). */
const CIPHER_PREFERENCE = [Cipher.AES128_GCM, Cipher.AES128_CCM, Cipher.AES256_GCM, Cipher.AES256_CCM];

interface Chosen {
  dialect: Dialect;
  cipher: Cipher | undefined;
  signing: SigningAlg | undefined;
  /** The client sent a preauth context (required with 3.1.1). */
  preauth: boolean;
}

function negotiateResponse(server: SmbServerContext, st: SmbConnectionState, chosen: Chosen): Buffer {
  const { settings } = server;
  const large = chosen.dialect !== Dialect.SMB202 && chosen.dialect !== Dialect.WILDCARD;
  const ioSize = large ? settings.maxIoSize : 65536;
  let caps = large ? Cap.LARGE_MTU : 0;
  if (chosen.dialect === Dialect.SMB300 || chosen.dialect === Dialect.SMB302) {
    if (chosen.cipher !== undefined) caps |= Cap.ENCRYPTION;
  }
  const securityMode = SIGNING_ENABLED | (settings.signingRequired ? SIGNING_REQUIRED : 0);
  st.serverCapabilities = caps;
  st.serverSecurityMode = securityMode;
  const blob = negTokenInit();
  const w = new LeWriter(256);
  w.u16(65).u16(securityMode).u16(chosen.dialect);
  const contexts: Buffer[] = [];
  if (chosen.dialect === Dialect.SMB311) {
    const salt = randomBytes(32);
    contexts.push(context(ContextType.PREAUTH_INTEGRITY, new LeWriter().u16(1).u16(32).u16(1).bytes(salt).finish()));
    if (chosen.cipher !== undefined)
      contexts.push(context(ContextType.ENCRYPTION, new LeWriter().u16(1).u16(chosen.cipher).finish()));
    if (chosen.signing !== undefined)
      contexts.push(context(ContextType.SIGNING, new LeWriter().u16(1).u16(chosen.signing).finish()));
  }
  w.u16(contexts.length);
  w.bytes(server.serverGuid).u32(caps).u32(ioSize).u32(ioSize).u32(ioSize);
  w.u64(fileTime(nowTime())).u64(server.startTime);
  w.u16(HEADER_SIZE + 64).u16(blob.length);
  const ctxOffsetAt = w.length;
  w.u32(0);
  w.bytes(blob);
  if (contexts.length > 0) {
    w.align(8);
    w.setU32(ctxOffsetAt, HEADER_SIZE + w.length);
    contexts.forEach((c, i) => {
      w.bytes(c);
      if (i < contexts.length - 1) w.align(8);
    });
  }
  return Buffer.from(w.finish());
}

function context(type: number, data: Buffer): Buffer {
  return new LeWriter(8 + data.length).u16(type).u16(data.length).u32(0).bytes(data).finish();
}

function nowTime(): { sec: number; nsec: number } {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 };
}

/** The dialects the adapter allows, low to high. */
function allowed(server: SmbServerContext): Dialect[] {
  const min = DIALECT_NAMES[server.settings.minDialect] ?? Dialect.SMB202;
  const max = DIALECT_NAMES[server.settings.maxDialect] ?? Dialect.SMB311;
  return DIALECTS.filter((d) => d >= min && d <= max);
}

/** §2.2.3.1: the contexts of a 3.1.1 NEGOTIATE request. */
function readContexts(r: LeReader, msg: Buffer, offset: number, count: number, server: SmbServerContext) {
  let cipher: Cipher | undefined;
  let signing: SigningAlg | undefined;
  let preauth = false;
  let p = offset;
  for (let i = 0; i < count && p + 8 <= msg.length; i++) {
    const type = msg.readUInt16LE(p);
    const len = msg.readUInt16LE(p + 2);
    const data = r.at(p + 8, len);
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const d = new LeReader(data);
    if (type === ContextType.PREAUTH_INTEGRITY) {
      const n = d.u16();
      d.u16();
      for (let k = 0; k < n; k++) if (d.u16() === 1) preauth = true;
    } else if (type === ContextType.ENCRYPTION && server.settings.encryption !== 'disabled') {
      const n = d.u16();
      const offered = Array.from({ length: n }, () => d.u16());
      cipher = CIPHER_PREFERENCE.find((c) => offered.includes(c));
    } else if (type === ContextType.SIGNING) {
      const n = d.u16();
      const offered = Array.from({ length: n }, () => d.u16());
      signing = [SigningAlg.AES_GMAC, SigningAlg.AES_CMAC, SigningAlg.HMAC_SHA256].find((a) => offered.includes(a));
    }
    p = (p + 8 + len + 7) & ~7;
  }
  return { cipher, signing, preauth };
}

export const negotiate: SmbHandler = {
  name: 'NEGOTIATE',
  needsSession: false,
  needsTree: false,
  async run(ctx) {
    const { conn: st, server, msg } = ctx;
    // §3.3.5.4: a second NEGOTIATE on a connection is a protocol error.
    if (st.dialect !== undefined && st.dialect !== Dialect.WILDCARD) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const r = new LeReader(msg, HEADER_SIZE);
    if (r.u16() !== 36) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const count = r.u16();
    const securityMode = r.u16();
    r.u16();
    const capabilities = r.u32();
    const clientGuid = r.bytes(16);
    const ctxOffset = r.u32();
    const ctxCount = r.u16();
    r.u16();
    const dialects = Array.from({ length: count }, () => r.u16());
    if (!r.ok || count === 0) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const dialect = [...allowed(server)].reverse().find((d) => dialects.includes(d));
    if (dialect === undefined) throw new SmbStatusError(Status.NOT_SUPPORTED);
    st.clientGuid = Buffer.from(clientGuid);
    st.clientCapabilities = capabilities;
    st.clientSecurityMode = securityMode;
    st.clientDialects = dialects;
    let chosen: Chosen = { dialect, cipher: undefined, signing: undefined, preauth: false };
    if (dialect === Dialect.SMB311) {
      chosen = { dialect, ...readContexts(r, msg, ctxOffset, ctxCount, server) };
      if (!chosen.preauth) throw new SmbStatusError(Status.INVALID_PARAMETER);
      st.preauthHash = preauthHash(Buffer.alloc(64), msg);
      st.signingAlg = chosen.signing ?? SigningAlg.AES_CMAC;
    } else if (dialect >= Dialect.SMB300) {
      st.signingAlg = SigningAlg.AES_CMAC;
      if (server.settings.encryption !== 'disabled' && capabilities & Cap.ENCRYPTION) chosen.cipher = Cipher.AES128_CCM;
    } else st.signingAlg = SigningAlg.HMAC_SHA256;
    st.cipher = chosen.cipher;
    st.dialect = dialect;
    return { status: Status.SUCCESS, body: negotiateResponse(server, st, chosen) };
  },
};

/**
 * §3.3.5.3.1: an SMB1 NEGOTIATE listing "SMB 2.???" gets an SMB2 response with the
 * wildcard dialect (the client then sends an SMB2 NEGOTIATE); one listing only "SMB 2.002"
 * gets 2.0.2. Anything else: undefined (the connection is closed; no SMB1 here).
 */
export function smb1Negotiate(server: SmbServerContext, st: SmbConnectionState, frame: Buffer): Buffer | undefined {
  if (st.dialect !== undefined || frame.length < 35 || frame[4] !== 0x72) return undefined;
  const names = frame
    .subarray(35)
    .toString('latin1')
    .split('\0')
    .map((s) => (s.charCodeAt(0) === 2 ? s.slice(1) : s)); // each name follows a 0x02 buffer format byte
  const allowedNow = allowed(server);
  let dialect: Dialect | undefined;
  if (names.includes('SMB 2.???') && allowedNow.some((d) => d > Dialect.SMB202)) dialect = Dialect.WILDCARD;
  else if (names.includes('SMB 2.002') && allowedNow.includes(Dialect.SMB202)) dialect = Dialect.SMB202;
  if (dialect === undefined) return undefined;
  st.consume(0n, 1);
  st.grant(1);
  st.signingAlg = SigningAlg.HMAC_SHA256;
  st.dialect = dialect === Dialect.WILDCARD ? undefined : dialect;
  const body = negotiateResponse(server, st, { dialect, cipher: undefined, signing: undefined, preauth: false });
  const out = Buffer.alloc(HEADER_SIZE + body.length);
  encodeHeader(
    {
      creditCharge: 0,
      status: Status.SUCCESS,
      command: Command.NEGOTIATE,
      credits: 1,
      flags: Flags.SERVER_TO_REDIR,
      nextCommand: 0,
      messageId: 0n,
      asyncId: 0n,
      treeId: 0,
      sessionId: 0n,
      signature: Buffer.alloc(16),
    },
    out,
  );
  body.copy(out, HEADER_SIZE);
  return out;
}
