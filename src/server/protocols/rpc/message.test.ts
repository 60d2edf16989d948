import { describe, expect, it } from 'vitest';
import { hex } from '../testing/hex.ts';
import { XdrReader } from '../xdr/reader.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { authContextOf, decodeAuthSys, decodeCredential } from './auth.ts';
import { AcceptStat, AuthStat } from './constants.ts';
import { decodeCallHeader, writeAccepted, writeAuthError, writeProgMismatch, writeRpcMismatch } from './message.ts';

const AUTH_SYS_BODY = `
  00000000             # stamp 0
  00000003 626f7800    # machinename "box" + 1 pad
  000003e8             # uid 1000
  00000064             # gid 100
  00000002             # 2 gids
  0000000a 0000000b    # gids 10, 11
`;

const CALL = hex(`
  12345678             # xid
  00000000             # msg_type CALL
  00000002             # rpcvers 2
  000186a3             # prog 100003 (NFS)
  00000003             # vers 3
  00000001             # proc GETATTR
  00000001             # cred flavor AUTH_SYS
  00000020             # cred body length 32
  ${AUTH_SYS_BODY}
  00000000 00000000    # verf AUTH_NULL, empty
  deadbeef             # first argument word
`);

describe('RPC call header', () => {
  it('decodes call_body up to the arguments', () => {
    const r = new XdrReader(CALL);
    const h = decodeCallHeader(r);
    expect(h).toMatchObject({
      xid: 0x12345678,
      rpcvers: 2,
      prog: 100003,
      vers: 3,
      proc: 1,
      credFlavor: 1,
      verfFlavor: 0,
    });
    expect(r.u32()).toBe(0xdeadbeef);
  });

  it('tells a reply message (to a call of ours) from input that is no RPC message', () => {
    expect(decodeCallHeader(new XdrReader(hex('00000001 00000001 # xid 1, REPLY')))).toEqual({
      error: 'reply',
      xid: 1,
    });
    expect(decodeCallHeader(new XdrReader(hex('00000001 00000002 # xid 1, no such msg_type')))).toEqual({
      error: 'not-call',
      xid: 1,
    });
    expect(decodeCallHeader(new XdrReader(hex('0000')))).toMatchObject({ error: 'not-call' });
  });

  it('tells a truncated header from a bad credential', () => {
    expect(decodeCallHeader(new XdrReader(hex('00000007 00000000 00000002 # xid, CALL, rpcvers; no prog')))).toEqual({
      error: 'header',
      xid: 7,
    });
    const bigCred = hex(`
      00000007 00000000 00000002 000186a3 00000003 00000000  # header
      00000001 00000191                                      # AUTH_SYS, body length 401 > 400
    `);
    expect(decodeCallHeader(new XdrReader(bigCred))).toEqual({ error: 'cred', xid: 7 });
    const shortVerf = hex(`
      00000007 00000000 00000002 000186a3 00000003 00000000  # header
      00000000 00000000                                      # cred AUTH_NULL
      00000000 00000008 0000                                 # verf: 8 bytes announced, 2 present
    `);
    expect(decodeCallHeader(new XdrReader(shortVerf))).toEqual({ error: 'verf', xid: 7 });
  });
});

describe('AUTH_SYS', () => {
  it('decodes authsys_parms', () => {
    expect(decodeAuthSys(hex(AUTH_SYS_BODY))).toEqual({
      stamp: 0,
      machinename: 'box',
      uid: 1000,
      gid: 100,
      gids: [10, 11],
    });
  });

  it('refuses more than 16 gids and machine names over 255 bytes', () => {
    const gids17 = hex(
      `00000000 00000000 00000001 00000001 00000011 # stamp, "", uid, gid, 17 gids` + ' 00000000'.repeat(17),
    );
    expect(decodeAuthSys(gids17)).toBeUndefined();
    const name256 = hex(`00000000 00000100 ${'61'.repeat(256)} 00000001 00000001 00000000 # machinename of 256 bytes`);
    expect(decodeAuthSys(name256)).toBeUndefined();
    expect(decodeAuthSys(hex('00000000 00000003 626f78 # truncated'))).toBeUndefined();
  });

  it('maps credentials to an AuthContext, AUTH_NULL to nobody', () => {
    const sys = decodeCredential(1, hex(AUTH_SYS_BODY));
    expect(typeof sys).toBe('object');
    if (typeof sys === 'object')
      expect(authContextOf(sys, '10.0.0.1')).toEqual({ uid: 1000, gid: 100, gids: [10, 11], clientAddr: '10.0.0.1' });
    const none = decodeCredential(0, Buffer.alloc(0));
    if (typeof none === 'object')
      expect(authContextOf(none, 'x')).toEqual({ uid: 65534, gid: 65534, gids: [], clientAddr: 'x' });
    expect(decodeCredential(6, Buffer.alloc(8))).toBe(AuthStat.AUTH_BADCRED); // RPCSEC_GSS
    expect(decodeCredential(0, Buffer.alloc(4))).toBe(AuthStat.AUTH_BADCRED);
  });
});

describe('RPC reply headers', () => {
  const encode = (f: (w: XdrWriter) => void): Buffer => {
    const w = new XdrWriter(128);
    f(w);
    return w.finish();
  };

  it('accepted SUCCESS', () => {
    expect(encode((w) => writeAccepted(w, 0x12345678, AcceptStat.SUCCESS))).toEqual(
      hex(`
        00000000             # record mark placeholder
        12345678             # xid
        00000001             # REPLY
        00000000             # MSG_ACCEPTED
        00000000 00000000    # verf AUTH_NULL, empty
        00000000             # SUCCESS
      `),
    );
  });

  it('PROG_MISMATCH with low and high', () => {
    expect(encode((w) => writeProgMismatch(w, 9, 3, 3))).toEqual(
      hex(`
        00000000 00000009 00000001 00000000   # mark, xid, REPLY, MSG_ACCEPTED
        00000000 00000000                     # verf
        00000002                              # PROG_MISMATCH
        00000003 00000003                     # low 3, high 3
      `),
    );
  });

  it('RPC_MISMATCH and AUTH_ERROR', () => {
    expect(encode((w) => writeRpcMismatch(w, 9))).toEqual(
      hex(`
        00000000 00000009 00000001   # mark, xid, REPLY
        00000001                     # MSG_DENIED
        00000000                     # RPC_MISMATCH
        00000002 00000002            # low 2, high 2
      `),
    );
    expect(encode((w) => writeAuthError(w, 9, AuthStat.AUTH_TOOWEAK))).toEqual(
      hex(`
        00000000 00000009 00000001   # mark, xid, REPLY
        00000001                     # MSG_DENIED
        00000001                     # AUTH_ERROR
        00000005                     # AUTH_TOOWEAK
      `),
    );
  });
});
