/**
 * Call credentials (RFC 5531 §8.2, §9 and appendix A): AUTH_NULL and AUTH_SYS, turned into
 * the AuthContext the metadata layer checks permissions with.
 */
import type { AuthContext } from '../../metadata/types.ts';
import { XdrReader } from '../xdr/reader.ts';
import { AUTH_SYS_MAX_GIDS, AUTH_SYS_MAX_MACHINENAME, AuthFlavor, AuthStat, NOBODY } from './constants.ts';

/** The decoded authsys_parms of an AUTH_SYS credential. */
export interface AuthSysParams {
  stamp: number;
  machinename: string;
  uid: number;
  gid: number;
  gids: number[];
}

export interface Credential {
  flavor: number;
  /** Present for AUTH_SYS. */
  sys: AuthSysParams | undefined;
}

const bodyReader = new XdrReader();

/** Decodes authsys_parms; undefined when the body is malformed. */
export function decodeAuthSys(body: Buffer): AuthSysParams | undefined {
  const r = bodyReader.reset(body);
  const stamp = r.u32();
  const machinename = r.string(AUTH_SYS_MAX_MACHINENAME);
  const uid = r.u32();
  const gid = r.u32();
  const count = r.u32();
  if (count > AUTH_SYS_MAX_GIDS) return undefined;
  const gids: number[] = [];
  for (let i = 0; i < count && r.ok; i++) gids.push(r.u32());
  if (!r.ok) return undefined;
  return { stamp, machinename, uid, gid, gids };
}

/**
 * Checks a call's credential: AUTH_NULL and well-formed AUTH_SYS pass; anything else is
 * the auth_stat to reject it with.
 */
export function decodeCredential(flavor: number, body: Buffer): Credential | number {
  if (flavor === AuthFlavor.AUTH_NULL) return body.length === 0 ? { flavor, sys: undefined } : AuthStat.AUTH_BADCRED;
  if (flavor === AuthFlavor.AUTH_SYS) {
    const sys = decodeAuthSys(body);
    return sys ? { flavor, sys } : AuthStat.AUTH_BADCRED;
  }
  return AuthStat.AUTH_BADCRED;
}

/** The identity a credential carries; AUTH_NULL callers are nobody (65534). */
export function authContextOf(cred: Credential, clientAddr: string): AuthContext {
  const sys = cred.sys;
  if (!sys) return { uid: NOBODY, gid: NOBODY, gids: [], clientAddr };
  return { uid: sys.uid, gid: sys.gid, gids: sys.gids, clientAddr };
}
