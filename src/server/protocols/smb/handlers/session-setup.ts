/**
 * MS-SMB2 §3.3.5.5 SESSION_SETUP: SPNEGO (RFC 4178) carrying NTLMSSP (MS-NLMP). The first
 * round answers the client's NEGOTIATE with a CHALLENGE (MORE_PROCESSING_REQUIRED); the
 * second checks the NTLMv2 response against the user's stored NT hash, derives the session
 * keys and decides signing and encryption. A wrong password or unknown user is LOGON_FAILURE;
 * an anonymous logon, or "guest" when no such user exists, is a guest session while the
 * control plane enables guests (auth/guest.ts).
 */
import { randomBytes } from 'node:crypto';
import { Dialect, HEADER_SIZE, SIGNING_REQUIRED, Status, is3x } from '../constants.ts';
import { preauthHash } from '../crypto/preauth.ts';
import { deriveKeys } from '../crypto/keys.ts';
import {
  challengeMessage,
  negotiateFlags,
  ntlmMessageType,
  NtlmSigner,
  parseAuthenticate,
  verifyNtlmv2,
} from '../auth/ntlm.ts';
import { NegState, negTokenResp, parseClientToken } from '../auth/spnego.ts';
import { guestKind, guestSessionFlags, SessionFlag, type GuestKind } from '../auth/guest.ts';
import type { SmbConnectionState } from '../connection-state.ts';
import { SmbStatusError, type SmbContext, type SmbHandler, type SmbReply } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { LeWriter } from '../writer.ts';
import type { GuestIdentity } from '../../../runtime/types.ts';
import type { Session } from '../state.ts';
import { endSession } from './logoff.ts';

/** §3.3.5.7: whether the session's messages can be encrypted (a 3.x dialect, a cipher, and a session key). */
export function canEncrypt(conn: SmbConnectionState, session: Session): boolean {
  return session.keys !== undefined && conn.dialect !== undefined && is3x(conn.dialect) && conn.cipher !== undefined;
}

/**
 * §3.3.5.5.3: a guest or anonymous session acts as the control plane's guest uid/gid; it has
 * no session key, so it is never signed nor encrypted (as Samba, even when the server
 * requires signing). Refused when every session must be encrypted.
 */
async function guestSession(
  ctx: SmbContext,
  session: Session,
  guest: GuestIdentity & { kind: GuestKind },
  raw: boolean,
  fail: () => Promise<never>,
): Promise<SmbReply> {
  const { server, conn } = ctx;
  const { kind } = guest;
  // A user's session re-authenticated as guest would keep its keys: it ends instead.
  if (server.settings.encryption === 'required' || (session.state === 'valid' && !session.guest)) return fail();
  session.ntlm = undefined;
  session.guest = kind;
  session.username = kind;
  session.auth = { uid: guest.uid, gid: guest.gid, gids: [], clientAddr: conn.clientAddr };
  session.state = 'valid';
  server.logger.info({ client: conn.clientAddr, kind }, 'SMB guest logon');
  const reply = raw ? Buffer.alloc(0) : negTokenResp(NegState.ACCEPT_COMPLETED, undefined, undefined);
  return { status: Status.SUCCESS, body: response(guestSessionFlags(kind), reply) };
}

function response(flags: number, token: Buffer): Buffer {
  return new LeWriter(8 + token.length)
    .u16(9)
    .u16(flags)
    .u16(HEADER_SIZE + 8)
    .u16(token.length)
    .bytes(token)
    .finish();
}

function newSession(ctx: SmbContext): Session {
  const id = (BigInt(ctx.conn.newId()) << 32n) | BigInt(randomBytes(4).readUInt32LE(0));
  const session: Session = {
    id,
    state: 'in-progress',
    preauthHash: ctx.conn.preauthHash,
    username: '',
    auth: { uid: 65534, gid: 65534, gids: [], clientAddr: ctx.conn.clientAddr },
    keys: undefined,
    signingRequired: false,
    encryptData: false,
    trees: new Map(),
  };
  ctx.conn.sessions.set(id, session);
  return session;
}

export const sessionSetup: SmbHandler = {
  name: 'SESSION_SETUP',
  needsSession: false,
  needsTree: false,
  async run(ctx) {
    const { conn: st, server, msg, hdr } = ctx;
    const r = new LeReader(msg, HEADER_SIZE);
    if (r.u16() !== 25) throw new SmbStatusError(Status.INVALID_PARAMETER);
    r.u8(); // Flags (binding: no multichannel here)
    const securityMode = r.u8();
    r.u32();
    r.u32();
    const blobOffset = r.u16();
    const blobLength = r.u16();
    const blob = r.at(blobOffset, blobLength);
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);

    let session = hdr.sessionId === 0n ? undefined : st.sessions.get(hdr.sessionId);
    if (hdr.sessionId !== 0n && !session) throw new SmbStatusError(Status.USER_SESSION_DELETED);
    session ??= newSession(ctx);
    ctx.responseSessionId = session.id;
    if (st.dialect === Dialect.SMB311) session.preauthHash = preauthHash(session.preauthHash, msg);

    const token = parseClientToken(blob);
    const ntlm = token.mechToken;
    // A failed logon ends the session, an established one too (a failed re-authentication, as Samba).
    const fail = async (): Promise<never> => {
      await endSession(ctx.server, ctx.conn, session);
      throw new SmbStatusError(Status.LOGON_FAILURE);
    };
    if (!ntlm || !token.offersNtlm) return fail();
    const type = ntlmMessageType(ntlm);
    if (type === 1) {
      const challenge = randomBytes(8);
      const clientFlags = negotiateFlags(ntlm);
      session.ntlm = { challenge, clientFlags, mechTypes: token.mechTypes, negotiate: Buffer.from(ntlm) };
      const message = challengeMessage(clientFlags, challenge, server.name);
      const reply = token.raw ? message : negTokenResp(NegState.ACCEPT_INCOMPLETE, message, undefined, true);
      return { status: Status.MORE_PROCESSING_REQUIRED, body: response(0, reply) };
    }
    const exchange = session.ntlm;
    const auth = type === 3 ? parseAuthenticate(ntlm) : undefined;
    if (!exchange || !auth) return fail();
    // Guessing is slowed per source address as at the API; a refusal is a failed logon.
    const turn = server.throttle.admit(st.clientAddr);
    if (!turn.admitted) return fail();
    if (turn.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, turn.waitMs));
    const user = auth.user === '' ? undefined : await server.runtime.identities.byName(auth.user);
    const guest = await server.runtime.identities.guest();
    const kind = guestKind(auth, user !== undefined, guest);
    if (kind) {
      turn.done(false);
      return guestSession(ctx, session, { kind, ...guest }, token.raw, fail);
    }
    const verified = user?.enabled && user.ntHash ? verifyNtlmv2(auth, user.ntHash, exchange.challenge) : undefined;
    turn.done(!verified);
    if (!user || !verified) {
      server.logger.info({ client: st.clientAddr, user: auth.user }, 'SMB logon failed');
      return fail();
    }
    session.ntlm = undefined;
    session.username = user.username;
    session.auth = { uid: user.uid, gid: user.gid, gids: user.gids, clientAddr: st.clientAddr };
    session.keys = deriveKeys(st.dialect as Dialect, verified.sessionKey, session.preauthHash, st.cipher);
    session.signingRequired = server.settings.signingRequired || (securityMode & SIGNING_REQUIRED) !== 0;
    session.encryptData = server.settings.encryption === 'required' && canEncrypt(st, session);
    if (server.settings.encryption === 'required' && !session.encryptData) return fail();
    session.state = 'valid';
    const mic = exchange.mechTypes
      ? new NtlmSigner(verified.sessionKey, auth.flags, 'server-to-client').sign(exchange.mechTypes)
      : undefined;
    const reply = token.raw ? Buffer.alloc(0) : negTokenResp(NegState.ACCEPT_COMPLETED, undefined, mic);
    return { status: Status.SUCCESS, body: response(session.encryptData ? SessionFlag.ENCRYPT_DATA : 0, reply) };
  },
};
