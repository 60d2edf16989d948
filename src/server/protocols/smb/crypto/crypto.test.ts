// The primitives under signing and encryption: AES-CMAC against RFC 4493 §4, RC4 against
// the classic "Key"/"Plaintext" vector, and signing / TRANSFORM round trips that must fail
// when one bit changes.
import { describe, expect, it } from 'vitest';
import { Cipher, Dialect, SigningAlg } from '../constants.ts';
import { aesCmac } from './cmac.ts';
import { deriveKeys } from './keys.ts';
import { rc4 } from './rc4.ts';
import { sign, verify } from './signing.ts';
import { decryptMessage, encryptMessage } from './transform.ts';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('AES-CMAC (RFC 4493 §4)', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const m = hex(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  );
  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('%i bytes', (len, mac) => {
    expect(aesCmac(key, m.subarray(0, len)).toString('hex')).toBe(mac);
  });
});

it('RC4 matches the classic vector', () => {
  expect(rc4(Buffer.from('Key'), Buffer.from('Plaintext')).toString('hex')).toBe('bbf316e8d940af0ad3');
});

function message(len = 200): Buffer {
  const m = Buffer.alloc(len, 7);
  m.writeUInt32LE(0x424d53fe, 0);
  m.writeUInt16LE(64, 4);
  return m;
}

describe('signing', () => {
  it.each([SigningAlg.HMAC_SHA256, SigningAlg.AES_CMAC, SigningAlg.AES_GMAC])(
    'algorithm %i verifies and detects a change',
    (alg) => {
      const key = Buffer.alloc(16, 3);
      const m = message();
      sign(alg, key, m);
      expect(m.readUInt32LE(16) & 0x8).toBe(0x8);
      expect(verify(alg, key, m)).toBe(true);
      m.writeUInt8(m.readUInt8(100) ^ 1, 100);
      expect(verify(alg, key, m)).toBe(false);
    },
  );

  it('3.x keys differ by purpose and 3.1.1 keys depend on the preauth hash', () => {
    const session = Buffer.alloc(16, 9);
    const k30 = deriveKeys(Dialect.SMB300, session, Buffer.alloc(64), Cipher.AES128_CCM);
    expect(new Set([k30.signingKey, k30.encryptionKey, k30.decryptionKey].map((b) => b?.toString('hex'))).size).toBe(3);
    const a = deriveKeys(Dialect.SMB311, session, Buffer.alloc(64, 1), Cipher.AES128_GCM);
    const b = deriveKeys(Dialect.SMB311, session, Buffer.alloc(64, 2), Cipher.AES128_GCM);
    expect(a.signingKey.equals(b.signingKey)).toBe(false);
    expect(deriveKeys(Dialect.SMB311, session, Buffer.alloc(64), Cipher.AES256_GCM).encryptionKey).toHaveLength(32);
    expect(deriveKeys(Dialect.SMB210, session, Buffer.alloc(64), undefined).signingKey).toEqual(session);
  });
});

describe('TRANSFORM encryption', () => {
  it.each([Cipher.AES128_CCM, Cipher.AES128_GCM, Cipher.AES256_CCM, Cipher.AES256_GCM])(
    'cipher %i round-trips and rejects tampering',
    (cipher) => {
      const key = Buffer.alloc(cipher >= Cipher.AES256_CCM ? 32 : 16, 5);
      const m = message(1000);
      const sealed = encryptMessage(cipher, key, 0x1234n, m);
      expect(sealed.readUInt32LE(0)).toBe(0x424d53fd);
      expect(sealed.readBigUInt64LE(44)).toBe(0x1234n);
      expect(decryptMessage(cipher, key, sealed)).toEqual(m);
      for (const at of [30, 50, 60, sealed.length - 1]) {
        const bad = Buffer.from(sealed);
        bad.writeUInt8(bad.readUInt8(at) ^ 1, at);
        expect(decryptMessage(cipher, key, bad)).toBeUndefined();
      }
      expect(decryptMessage(cipher, key, sealed.subarray(0, 40))).toBeUndefined();
    },
  );
});
