/**
 * On-disk layout of the filesystem block store:
 *
 *   <root>/blocks/<shard>/<segment>/.../<last segment>.blk
 *   <root>/tmp/<n>.tmp            (files being written; cleared on open)
 *
 * The shard is a hash of the first key segment (the payload), so one payload's blocks share
 * a directory tree and 256 shard directories spread millions of payloads. Only files carry
 * the suffix, so key "a/b" (file b.blk) and key "a/b/c" (directory b) never collide.
 */
import { join } from 'node:path';
import { firstSegment } from '../../blockstore.ts';

export const BLOCK_SUFFIX = '.blk';

/** FNV-1a of the segment, reduced to one byte: two hex digits. */
export function shardOf(segment: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < segment.length; i++) hash = Math.imul(hash ^ segment.charCodeAt(i), 0x01000193);
  return ((hash ^ (hash >>> 8) ^ (hash >>> 16) ^ (hash >>> 24)) & 0xff).toString(16).padStart(2, '0');
}

/** The file of a valid key. */
export function blockPath(blocksDir: string, key: string): string {
  return join(blocksDir, shardOf(firstSegment(key)), key + BLOCK_SUFFIX);
}

/** The directory holding every key under a valid prefix that ends with '/'. */
export function prefixDir(blocksDir: string, prefix: string): string {
  return join(blocksDir, shardOf(firstSegment(prefix)), prefix);
}
