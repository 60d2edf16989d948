/**
 * MS-SMB2 §3.1.4.1 message signatures: HMAC-SHA256 (2.0.2, 2.1), AES-128-CMAC (3.0, 3.0.2,
 * and 3.1.1 unless negotiated otherwise), AES-128-GMAC (3.1.1 with the signing context,
 * §3.1.4.1: nonce = MessageId, then a word whose bit 0 marks a response and bit 1 a CANCEL).
 * The signature covers the whole message with its 16-byte Signature field zeroed.
 */
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { Command, Flags, SigningAlg } from '../constants.ts';
import { aesCmac } from './cmac.ts';

const SIG_OFFSET = 48;

export function computeSignature(alg: SigningAlg, key: Buffer, message: Buffer): Buffer {
  const zeroed = Buffer.from(message);
  zeroed.fill(0, SIG_OFFSET, SIG_OFFSET + 16);
  switch (alg) {
    case SigningAlg.HMAC_SHA256:
      return createHmac('sha256', key).update(zeroed).digest().subarray(0, 16);
    case SigningAlg.AES_CMAC:
      return aesCmac(key, zeroed);
    case SigningAlg.AES_GMAC: {
      const nonce = Buffer.alloc(12);
      message.copy(nonce, 0, 24, 32); // MessageId
      const flags = message.readUInt32LE(16);
      const command = message.readUInt16LE(12);
      nonce.writeUInt32LE(
        (flags & Flags.SERVER_TO_REDIR ? 1 : 0) |
          (command === Command.CANCEL && !(flags & Flags.SERVER_TO_REDIR) ? 2 : 0),
        8,
      );
      const c = createCipheriv('aes-128-gcm', key, nonce);
      c.setAAD(zeroed);
      c.final();
      return c.getAuthTag();
    }
  }
}

/** Fills the Signature field of `message` in place and sets SMB2_FLAGS_SIGNED. */
export function sign(alg: SigningAlg, key: Buffer, message: Buffer): void {
  message.writeUInt32LE(message.readUInt32LE(16) | Flags.SIGNED, 16);
  computeSignature(alg, key, message).copy(message, SIG_OFFSET);
}

export function verify(alg: SigningAlg, key: Buffer, message: Buffer): boolean {
  const expected = computeSignature(alg, key, message);
  return timingSafeEqual(expected, message.subarray(SIG_OFFSET, SIG_OFFSET + 16));
}
