/** MS-SMB2 §3.3.5.4 preauth integrity: H(i) = SHA-512(H(i-1) || message), from 64 zero bytes. */
import { createHash } from 'node:crypto';

export function preauthHash(previous: Buffer, message: Buffer): Buffer {
  return createHash('sha512').update(previous).update(message).digest();
}
