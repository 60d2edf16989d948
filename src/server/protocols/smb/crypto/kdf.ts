/**
 * MS-SMB2 §3.1.4.2 key derivation: SP800-108 KDF in counter mode with HMAC-SHA256,
 * i = 1 and L = 128 (or 256 for AES-256 ciphers); Label and Context include their NULs.
 */
import { createHmac } from 'node:crypto';

export function smb3Kdf(key: Buffer, label: Buffer, context: Buffer, bits: 128 | 256 = 128): Buffer {
  const i = Buffer.from([0, 0, 0, 1]);
  const l = Buffer.alloc(4);
  l.writeUInt32BE(bits, 0);
  const h = createHmac('sha256', key)
    .update(i)
    .update(label)
    .update(Buffer.from([0]))
    .update(context)
    .update(l);
  return h.digest().subarray(0, bits / 8);
}

/** A NUL-terminated ASCII label or context, as the spec's literals are. */
export const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1');
