/**
 * The content hash the offloader addresses blocks by (`cas/<sha256>`): SHA-256, which the
 * CPU's SHA extensions make about as fast as any well-kept hash, and which S3's SigV4 needs
 * anyway (the upload passes it on instead of hashing again). A block is hashed on the libuv
 * thread pool (WebCrypto's digest runs there as an async job), so 4 MiB of hashing never
 * stalls the event loop that serves the clients; small contents are hashed in place, where
 * the hop would cost more than the hash.
 */
import { createHash, webcrypto } from 'node:crypto';

const IN_PLACE_BELOW = 64 * 1024;

export async function contentHash(data: Buffer): Promise<string> {
  if (data.length < IN_PLACE_BELOW) return createHash('sha256').update(data).digest('hex');
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', data)).toString('hex');
}
