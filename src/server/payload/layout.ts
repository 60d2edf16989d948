/**
 * Where a payload's bytes live (seed "Data path"): 64 MiB chunks of 4 MiB blocks. A block
 * never straddles a chunk, so the chunk only shapes the key, `${payload}/${chunk}/${block}`,
 * which lets a store list one chunk, or one payload, by prefix.
 */
import { DittoError } from '../../shared/errors.ts';
import { MAX_KEY_SEGMENT } from './blockstore.ts';

export const BLOCK_SIZE = 4 * 1024 * 1024;
export const CHUNK_SIZE = 64 * 1024 * 1024;
const BLOCKS_PER_CHUNK = CHUNK_SIZE / BLOCK_SIZE;

const PLAIN_ID = /^[a-z0-9-]+$/;

/**
 * The key prefix of every block of a payload. The id is escaped into the key alphabet:
 * bytes outside [a-z0-9-] become `_xx` (two hex digits), so distinct ids get distinct keys.
 */
export function payloadPrefix(payloadId: string): string {
  const segment = PLAIN_ID.test(payloadId) ? payloadId : escapeId(payloadId);
  if (segment.length === 0 || segment.length > MAX_KEY_SEGMENT) {
    throw new DittoError('INVALID_ARGUMENT', `unusable payload id ${JSON.stringify(payloadId.slice(0, 80))}`);
  }
  return `${segment}/`;
}

function escapeId(id: string): string {
  let out = '';
  for (const byte of Buffer.from(id, 'utf8')) {
    const plain = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d;
    out += plain ? String.fromCharCode(byte) : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function blockKey(prefix: string, index: number): string {
  const chunk = Math.floor(index / BLOCKS_PER_CHUNK);
  return `${prefix}${chunk}/${index - chunk * BLOCKS_PER_CHUNK}`;
}

const CHUNK_AND_BLOCK = /^(\d+)\/(\d+)$/;

/** The block index of a key under `prefix`, or undefined for a key this layout does not write. */
export function blockIndexOf(prefix: string, key: string): number | undefined {
  const match = key.startsWith(prefix) ? CHUNK_AND_BLOCK.exec(key.slice(prefix.length)) : null;
  if (match === null) return undefined;
  const block = Number(match[2]);
  return block < BLOCKS_PER_CHUNK ? Number(match[1]) * BLOCKS_PER_CHUNK + block : undefined;
}

export interface BlockSpan {
  /** Block number within the payload. */
  index: number;
  /** Offset inside the block. */
  at: number;
  /** Offset inside the caller's range. */
  pos: number;
  n: number;
}

/** Splits bytes [offset, offset + length) at block boundaries. */
export function* blockSpans(offset: number, length: number): Generator<BlockSpan> {
  for (let pos = 0; pos < length;) {
    const index = Math.floor((offset + pos) / BLOCK_SIZE);
    const at = offset + pos - index * BLOCK_SIZE;
    const n = Math.min(BLOCK_SIZE - at, length - pos);
    yield { index, at, pos, n };
    pos += n;
  }
}
