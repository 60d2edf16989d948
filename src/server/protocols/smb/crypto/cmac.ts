/** AES-CMAC (RFC 4493), the SMB 3.0/3.0.2 signing MAC (MS-SMB2 §3.1.4.1); node:crypto has AES but no CMAC. */
import { createCipheriv } from 'node:crypto';

const ZERO = Buffer.alloc(16);

function aesBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv(key.length === 32 ? 'aes-256-ecb' : 'aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return c.update(block);
}

/** RFC 4493 §2.3: doubling in GF(2^128). */
function double(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = (((b[i] as number) << 1) | ((b[i + 1] ?? 0) >> 7)) & 0xff;
  if ((b[0] as number) & 0x80) out[15] = (out[15] as number) ^ 0x87;
  return out;
}

export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const l = aesBlock(key, ZERO);
  const k1 = double(l);
  const k2 = double(k1);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = Buffer.alloc(16);
  message.copy(last, 0, (n - 1) * 16);
  if (!complete) last[message.length - (n - 1) * 16] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i] = (last[i] as number) ^ (sub[i] as number);
  // CBC-MAC over the first n-1 blocks then the adjusted last block.
  const c = createCipheriv(key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc', key, ZERO);
  c.setAutoPadding(false);
  const body = Buffer.concat([message.subarray(0, (n - 1) * 16), last]);
  const out = c.update(body);
  return out.subarray(out.length - 16);
}
