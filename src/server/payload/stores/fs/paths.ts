/**
 * On-disk layout of the filesystem block store:
 *
 *   <root>/FORMAT                          the layout version (FORMAT_LINE), then "store: <name>"
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
export const BLOCKS_DIR = 'blocks';
export const TMP_DIR = 'tmp';
/** The name of a temp file: the only files a store removes that are not blocks. */
export const TEMP_FILE = /^[0-9]+\.tmp$/;

const OWNER_PREFIX = 'store: ';

/** FORMAT's text; the owner (the store's name) is left out only outside the runtime. */
export function formatText(owner: string | undefined): string {
  return owner === undefined ? FORMAT_LINE : `${FORMAT_LINE}${OWNER_PREFIX}${owner}\n`;
}

/**
 * What a FORMAT file says: whether the layout is this one, and the store that made it
 * (none in stores made before stores recorded it).
 */
export function parseFormat(text: string): { known: boolean; owner?: string } {
  if (!text.startsWith(FORMAT_LINE)) return { known: false };
  const rest = text.slice(FORMAT_LINE.length);
  if (rest === '') return { known: true };
  if (!rest.startsWith(OWNER_PREFIX) || !rest.endsWith('\n')) return { known: false };
  return { known: true, owner: rest.slice(OWNER_PREFIX.length, -1) };
}

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
