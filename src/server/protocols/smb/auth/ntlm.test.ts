// NTLMv2 against the MS-NLMP §4.2.4 test vectors (User / Domain / Password, server challenge
// 0123456789abcdef, client challenge aa…, time 0, random session key 55…), the CHALLENGE
// message layout, and SPNEGO unwrapping of a client's NegTokenInit.
import { describe, expect, it } from 'vitest';
import { ntHash } from '../../../auth/nthash.ts';
import {
  challengeMessage,
  NegFlag,
  ntowfv2,
  parseAuthenticate,
  verifyNtlmv2,
  type AuthenticateMessage,
} from './ntlm.ts';
import { der, NegState, negTokenInit, negTokenResp, NTLMSSP_OID, parseClientToken } from './spnego.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// §4.2.4.1.3 AV pairs: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
const AV_PAIRS = hex('02000c0044006f006d00610069006e0001000c005300650072007600650072000000 0000');
const TEMP = Buffer.concat([
  hex('0101 0000 00000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000'),
  AV_PAIRS,
  hex('00000000'),
]);
const SERVER_CHALLENGE = hex('0123456789abcdef');

function message(ntResponse: Buffer, over: Partial<AuthenticateMessage> = {}): AuthenticateMessage {
  return {
    lmResponse: Buffer.alloc(0),
    ntResponse,
    domain: 'Domain',
    user: 'User',
    workstation: 'COMPUTER',
    encryptedRandomSessionKey: hex('c5dad2544fc9799094ce1ce90bc9d03e'),
    flags: NegFlag.KEY_EXCH | NegFlag.UNICODE | NegFlag.EXTENDED_SESSIONSECURITY,
    ...over,
  };
}

describe('NTLMv2 (MS-NLMP §4.2.4)', () => {
  const nt = Buffer.from(ntHash('Password'), 'hex');

  it('NTOWFv2 matches the spec', () => {
    expect(nt.toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(ntowfv2(nt, 'User', 'Domain').toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });

  it('accepts the spec NTProofStr and recovers the exported session key through RC4', () => {
    const proof = hex('68cd0ab851e51c96aabc927bebef6a1c');
    const ok = verifyNtlmv2(message(Buffer.concat([proof, TEMP])), nt, SERVER_CHALLENGE);
    expect(ok?.sessionKey.toString('hex')).toBe('55555555555555555555555555555555');
    // Without key exchange the session key is SessionBaseKey.
    const base = verifyNtlmv2(message(Buffer.concat([proof, TEMP]), { flags: 0 }), nt, SERVER_CHALLENGE);
    expect(base?.sessionKey.toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
  });

  it('refuses a wrong password, another challenge, a tampered blob and a short response', () => {
    const good = Buffer.concat([hex('68cd0ab851e51c96aabc927bebef6a1c'), TEMP]);
    expect(verifyNtlmv2(message(good), Buffer.from(ntHash('password'), 'hex'), SERVER_CHALLENGE)).toBeUndefined();
    expect(verifyNtlmv2(message(good), nt, hex('0123456789abcdee'))).toBeUndefined();
    const tampered = Buffer.from(good);
    tampered.writeUInt8(tampered.readUInt8(good.length - 8) ^ 1, good.length - 8);
    expect(verifyNtlmv2(message(tampered), nt, SERVER_CHALLENGE)).toBeUndefined();
    expect(verifyNtlmv2(message(good.subarray(0, 30)), nt, SERVER_CHALLENGE)).toBeUndefined();
  });
});

describe('NTLMSSP messages', () => {
  it('CHALLENGE carries the challenge, flags and target info where the header says', () => {
    const msg = challengeMessage(NegFlag.UNICODE | NegFlag.KEY_EXCH | NegFlag.SIGN, SERVER_CHALLENGE, {
      computer: 'NAS',
      domain: 'NAS',
      dnsComputer: 'nas',
    });
    expect(msg.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
    expect(msg.readUInt32LE(8)).toBe(2);
    expect(msg.subarray(24, 32)).toEqual(SERVER_CHALLENGE);
    const flags = msg.readUInt32LE(20);
    expect(flags & NegFlag.KEY_EXCH).toBeTruthy();
    expect(flags & NegFlag.TARGET_INFO).toBeTruthy();
    const infoLen = msg.readUInt16LE(40);
    const infoOff = msg.readUInt32LE(44);
    expect(infoOff + infoLen).toBe(msg.length);
    expect(msg.readUInt16LE(infoOff)).toBe(2); // MsvAvNbDomainName first
  });

  it('AUTHENTICATE fields pointing outside the message are refused, not read', () => {
    const m = Buffer.alloc(88);
    m.write('NTLMSSP\0', 'latin1');
    m.writeUInt32LE(3, 8);
    m.writeUInt16LE(24, 20); // NtChallengeResponse length
    m.writeUInt32LE(1000, 24); // offset far past the end
    expect(parseAuthenticate(m)).toBeUndefined();
    expect(parseAuthenticate(Buffer.from('NTLMSSP\0', 'latin1'))).toBeUndefined();
  });
});

describe('SPNEGO', () => {
  it('finds the NTLMSSP token and mechTypes in a NegTokenInit, and a raw NTLMSSP message', () => {
    const ntlm = Buffer.from('NTLMSSP\0\x01\0\0\0', 'latin1');
    const mechTypes = der(0x30, der(0x06, NTLMSSP_OID));
    const init = der(
      0x60,
      der(0x06, Buffer.from('2b0601050502', 'hex')),
      der(0xa0, der(0x30, der(0xa0, mechTypes), der(0xa2, der(0x04, ntlm)))),
    );
    const t = parseClientToken(init);
    expect(t.offersNtlm).toBe(true);
    expect(t.mechToken).toEqual(ntlm);
    expect(t.mechTypes).toEqual(mechTypes);
    expect(parseClientToken(ntlm).mechToken).toEqual(ntlm);
  });

  it('garbage and truncated tokens yield nothing', () => {
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from([0x60, 0x82, 0xff]),
      negTokenInit().subarray(0, 10),
      Buffer.from('hello'),
    ]) {
      expect(parseClientToken(bad).mechToken).toBeUndefined();
    }
  });

  it('a NegTokenResp round-trips its token and MIC', () => {
    const resp = negTokenResp(
      NegState.ACCEPT_INCOMPLETE,
      Buffer.from('NTLMSSP\0abc', 'latin1'),
      Buffer.from('mic'),
      true,
    );
    const t = parseClientToken(resp);
    expect(t.mechToken?.toString('latin1')).toBe('NTLMSSP\0abc');
    expect(t.mechListMic?.toString()).toBe('mic');
  });
});
