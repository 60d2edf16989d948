/**
 * A block store in a local directory (layout in paths.ts). Each put writes a temp file,
 * fdatasyncs it and renames it over the block, so a crash leaves the old block or the new
 * one, never a torn one; `sync` fsyncs the directories whose entries changed, which makes the
 * renames (and deletes) durable. One process per root.
 */
import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DittoError } from '../../../../shared/errors.ts';
import { assertByteRange, assertValidKey, assertValidPrefix, firstSegment } from '../../blockstore.ts';
import type { BlockStore, BlockStoreStats } from '../../blockstore.ts';
import { BLOCK_SUFFIX, blockPath, prefixDir, shardOf } from './paths.ts';

export class FsBlockStore implements BlockStore {
  private readonly blocksDir: string;
  private readonly tmpDir: string;
  private tmpSeq = 0;
  /** Directories with entries created or removed since the last sync. */
  private readonly unsynced = new Set<string>();

  private constructor(readonly root: string) {
    this.blocksDir = join(root, 'blocks');
    this.tmpDir = join(root, 'tmp');
  }

  /** Opens the store under `root`, creating it; temp files a crash left behind are removed. */
  static async open(root: string): Promise<FsBlockStore> {
    const store = new FsBlockStore(root);
    try {
      await mkdir(store.blocksDir, { recursive: true });
      await rm(store.tmpDir, { recursive: true, force: true });
      await mkdir(store.tmpDir);
    } catch (err) {
      throw fsError(err);
    }
    return store;
  }

  async put(key: string, data: Buffer): Promise<void> {
    assertValidKey(key);
    const file = blockPath(this.blocksDir, key);
    const tmp = join(this.tmpDir, `${++this.tmpSeq}.tmp`);
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(data);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await this.makeDirs(dirname(file));
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined); // it may never have been created
      throw fsError(err);
    }
    this.unsynced.add(dirname(file));
  }

  async get(key: string, offset = 0, length?: number): Promise<Buffer | undefined> {
    assertValidKey(key);
    assertByteRange(offset, length ?? 0);
    let fh: FileHandle;
    try {
      fh = await open(blockPath(this.blocksDir, key), 'r');
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw fsError(err);
    }
    try {
      const want = length ?? Math.max(0, (await fh.stat()).size - offset);
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === want ? buf : buf.subarray(0, got);
    } catch (err) {
      throw fsError(err);
    } finally {
      await fh.close();
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    const file = blockPath(this.blocksDir, key);
    try {
      await unlink(file);
    } catch (err) {
      if (errno(err) === 'ENOENT') return;
      throw fsError(err);
    }
    this.unsynced.add(dirname(file));
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertValidPrefix(prefix);
    if (prefix.endsWith('/')) {
      // Every key under a whole-segment prefix lives in one directory tree.
      const dir = prefixDir(this.blocksDir, prefix);
      try {
        await rm(dir, { recursive: true, force: true });
      } catch (err) {
        throw fsError(err);
      }
      this.unsynced.add(dirname(dir));
      return;
    }
    for await (const [key] of this.entries(prefix)) await this.delete(key);
  }

  async *list(prefix: string): AsyncGenerator<string> {
    assertValidPrefix(prefix);
    for await (const [key] of this.entries(prefix)) yield key;
  }

  async sync(): Promise<void> {
    const dirs = [...this.unsynced];
    this.unsynced.clear();
    // Windows cannot open a directory to fsync it; NTFS journals the renames itself.
    if (process.platform === 'win32') return;
    try {
      await Promise.all(dirs.map(syncDir));
    } catch (err) {
      for (const dir of dirs) this.unsynced.add(dir);
      throw fsError(err);
    }
  }

  async close(): Promise<void> {
    await this.sync();
  }

  /** Walks the whole tree: O(blocks). */
  async stats(): Promise<BlockStoreStats> {
    let blocks = 0;
    let bytes = 0;
    for await (const [, path] of this.entries('')) {
      try {
        bytes += (await stat(path)).size;
        blocks++;
      } catch (err) {
        if (errno(err) !== 'ENOENT') throw fsError(err);
      }
    }
    return { blocks, bytes };
  }

  /** [key, path] of every block whose key starts with `prefix`. */
  private async *entries(prefix: string): AsyncGenerator<[string, string]> {
    const shards = prefix.includes('/')
      ? [shardOf(firstSegment(prefix))]
      : (await readDir(this.blocksDir)).map((entry) => entry.name);
    for (const shard of shards) yield* this.walk(join(this.blocksDir, shard), '', prefix);
  }

  private async *walk(dir: string, keyPrefix: string, prefix: string): AsyncGenerator<[string, string]> {
    for (const entry of await readDir(dir)) {
      if (entry.isDirectory()) {
        const sub = `${keyPrefix}${entry.name}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) yield* this.walk(join(dir, entry.name), sub, prefix);
      } else if (entry.name.endsWith(BLOCK_SUFFIX)) {
        const key = keyPrefix + entry.name.slice(0, -BLOCK_SUFFIX.length);
        if (key.startsWith(prefix)) yield [key, join(dir, entry.name)];
      }
    }
  }

  private async makeDirs(dir: string): Promise<void> {
    const created = await mkdir(dir, { recursive: true });
    if (created === undefined) return;
    // Each new directory is a new entry in its parent, which must be synced as well.
    for (let d = dir; d.length >= created.length; d = dirname(d)) this.unsynced.add(dirname(d));
  }
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errno(err) === 'ENOENT') return []; // removed while we walked
    throw fsError(err);
  }
}

async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(dir, 'r');
  } catch (err) {
    if (errno(err) === 'ENOENT') return; // removed since: nothing left to make durable
    throw err;
  }
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function fsError(err: unknown): DittoError {
  if (err instanceof DittoError) return err;
  const code = errno(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new DittoError(code === 'ENOSPC' || code === 'EDQUOT' ? 'NO_SPACE' : 'IO', detail);
}
