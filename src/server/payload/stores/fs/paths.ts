/**
 * On-disk layout of the filesystem block store:
 *
 *   <root>/FORMAT                          the layout version (FORMAT_LINE)
 *   <root>/blocks/<shard>/<key, '/' -> '.'>.blk
 *   <root>/tmp/<n>.tmp                     (files being written; cleared on open)
 *
 * The shard is a hash of the first key segment (the payload), so one payload's blocks share
 * a directory and 256 shards spread the payloads. Keys are flattened into file names (keys
 * hold no dots, so the mapping is one to one): a new small file costs one directory entry,
 * not a directory per key segment, and making it durable one directory fsync, not three.
 */
import { join } from 'node:path';
import { firstSegment } from '../../blockstore.ts';

export const BLOCK_SUFFIX = '.blk';
export const FORMAT_FILE = 'FORMAT';
export const FORMAT_LINE = 'dittofs block store: flat keys in 256 shards\n';

/** FNV-1a of the segment, reduced to one byte: two hex digits. */
export function shardOf(segment: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < segment.length; i++) hash = Math.imul(hash ^ segment.charCodeAt(i), 0x01000193);
  return ((hash ^ (hash >>> 8) ^ (hash >>> 16) ^ (hash >>> 24)) & 0xff).toString(16).padStart(2, '0');
}

/** A key (or key prefix) as a file name (or file name prefix). */
export function fileNameOf(keyOrPrefix: string): string {
  return keyOrPrefix.replaceAll('/', '.');
}

/** The key a block file name holds, or undefined for other files. */
export function keyOfFileName(name: string): string | undefined {
  return name.endsWith(BLOCK_SUFFIX) ? name.slice(0, -BLOCK_SUFFIX.length).replaceAll('.', '/') : undefined;
}

/** The file of a valid key. */
export function blockPath(blocksDir: string, key: string): string {
  return join(blocksDir, shardOf(firstSegment(key)), fileNameOf(key) + BLOCK_SUFFIX);
}
