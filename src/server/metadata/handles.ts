/**
 * File handle layout (17 bytes, well under NFS3_FHSIZE = 64, RFC 1813 §2.4):
 *   [0]      version (1)
 *   [1..4]   share id
 *   [5..8]   store epoch: a handle from another store, or a recreated one, is stale
 *   [9..16]  fileid (never reused by a store, so a deleted file's handle stays stale)
 */
import { DittoError } from '../../shared/errors.ts';
import type { FileHandle } from './types.ts';

const VERSION = 1;
export const HANDLE_SIZE = 17;
const TWO_32 = 2 ** 32;

export interface ParsedHandle {
  shareId: number;
  epoch: number;
  fileid: number;
}

export function encodeHandle(shareId: number, epoch: number, fileid: number): FileHandle {
  const h = Buffer.allocUnsafe(HANDLE_SIZE);
  h[0] = VERSION;
  h.writeUInt32BE(shareId, 1);
  h.writeUInt32BE(epoch, 5);
  h.writeUInt32BE(Math.floor(fileid / TWO_32), 9);
  h.writeUInt32BE(fileid % TWO_32, 13);
  return h;
}

/** Throws BAD_HANDLE for anything this server cannot have issued. */
export function parseHandle(h: FileHandle): ParsedHandle {
  if (h.length !== HANDLE_SIZE || h[0] !== VERSION) throw new DittoError('BAD_HANDLE');
  const hi = h.readUInt32BE(9);
  const fileid = hi * TWO_32 + h.readUInt32BE(13);
  if (!Number.isSafeInteger(fileid) || fileid === 0) throw new DittoError('BAD_HANDLE');
  return { shareId: h.readUInt32BE(1), epoch: h.readUInt32BE(5), fileid };
}
