/**
 * MS-SMB2 §2.2.41 TRANSFORM_HEADER and §3.1.4.3 encryption: AES-CCM (11-byte nonce) or
 * AES-GCM (12-byte nonce) over the whole SMB2 message, with the 32 header bytes after the
 * signature (Nonce … SessionId) as additional authenticated data; the tag is the signature.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Cipher, TRANSFORM_HEADER_SIZE } from '../constants.ts';

export const TRANSFORM_PROTOCOL_ID = 0x424d53fd; // 0xFD 'S' 'M' 'B'

const isGcm = (c: Cipher) => c === Cipher.AES128_GCM || c === Cipher.AES256_GCM;
const bits = (key: Buffer) => (key.length === 32 ? 256 : 128);

function cipherOf(c: Cipher, key: Buffer, nonce: Buffer) {
  return isGcm(c)
    ? createCipheriv(`aes-${bits(key)}-gcm` as 'aes-128-gcm', key, nonce, { authTagLength: 16 })
    : createCipheriv(`aes-${bits(key)}-ccm` as 'aes-128-ccm', key, nonce, { authTagLength: 16 });
}

function decipherOf(c: Cipher, key: Buffer, nonce: Buffer) {
  return isGcm(c)
    ? createDecipheriv(`aes-${bits(key)}-gcm` as 'aes-128-gcm', key, nonce, { authTagLength: 16 })
    : createDecipheriv(`aes-${bits(key)}-ccm` as 'aes-128-ccm', key, nonce, { authTagLength: 16 });
}

export function encryptMessage(cipher: Cipher, key: Buffer, sessionId: bigint, message: Buffer): Buffer {
  const header = Buffer.alloc(TRANSFORM_HEADER_SIZE);
  header.writeUInt32LE(TRANSFORM_PROTOCOL_ID, 0);
  const nonceLen = isGcm(cipher) ? 12 : 11;
  const nonce = randomBytes(nonceLen);
  nonce.copy(header, 20);
  header.writeUInt32LE(message.length, 36);
  header.writeUInt16LE(1, 42); // Flags: Encrypted
  header.writeBigUInt64LE(sessionId, 44);
  const c = cipherOf(cipher, key, nonce);
  c.setAAD(header.subarray(20), { plaintextLength: message.length });
  const body = Buffer.concat([c.update(message), c.final()]);
  c.getAuthTag().copy(header, 4);
  return Buffer.concat([header, body]);
}

export interface TransformInfo {
  sessionId: bigint;
  nonce: Buffer;
  signature: Buffer;
  originalSize: number;
}

/** The transform header's fields, or undefined when the buffer is too short. */
export function decodeTransform(buf: Buffer): TransformInfo | undefined {
  if (buf.length < TRANSFORM_HEADER_SIZE) return undefined;
  return {
    signature: buf.subarray(4, 20),
    nonce: buf.subarray(20, 36),
    originalSize: buf.readUInt32LE(36),
    sessionId: buf.readBigUInt64LE(44),
  };
}

/** The decrypted SMB2 message, or undefined when it does not authenticate. */
export function decryptMessage(cipher: Cipher, key: Buffer, buf: Buffer): Buffer | undefined {
  const info = decodeTransform(buf);
  const body = buf.subarray(TRANSFORM_HEADER_SIZE);
  if (!info || info.originalSize !== body.length) return undefined;
  const nonce = info.nonce.subarray(0, isGcm(cipher) ? 12 : 11);
  try {
    const d = decipherOf(cipher, key, nonce);
    d.setAuthTag(info.signature);
    d.setAAD(buf.subarray(20, TRANSFORM_HEADER_SIZE), { plaintextLength: body.length });
    return Buffer.concat([d.update(body), d.final()]);
  } catch {
    return undefined;
  }
}
