/**
 * A block store in a local directory (layout in paths.ts). Patches write in place through
 * cached file handles, so the OS page cache buffers them (`writeThrough`) and `sync`
 * fdatasyncs the files they touched. Each put writes a temp file and
 * renames it over the block. A put that replaces a block fdatasyncs the temp file before the
 * rename, so a crash leaves the old block or the new one, never a torn one (the old one may
 * hold data a flush made durable). A put of a new block skips that: nothing durable can be
 * lost there, and `sync` fdatasyncs those files once, which lets a long sequential write go
 * at disk speed. `sync` also fsyncs the directories whose entries changed, which makes the
 * renames, creations and deletes durable; `sync(prefix)` (a COMMIT) does that for one
 * payload only, and syncs never queue behind each other (block-syncs.ts). One process per root.
 */
import { closeSync, constants, fstatSync, mkdirSync, open, openSync, type Dirent } from 'node:fs';
import { access, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { assertByteRange, assertValidKey, assertValidPrefix, firstSegment } from '../../blockstore.ts';
import type { BlockRange, BlockStore, BlockStoreStats } from '../../blockstore.ts';
import { BlockHandles, type BlockHandle } from './block-handles.ts';
import { BlockSyncs } from './block-syncs.ts';
import { errno, fsError, pread, syncFd, writeAll } from './file-io.ts';
import { openLayout } from './layout.ts';
import { BLOCKS_DIR, blockPath, fileNameOf, keyOfFileName, shardOf, TMP_DIR } from './paths.ts';
import { ShardIndex } from './shard-index.ts';

export class FsBlockStore implements BlockStore {
  readonly writeThrough = true;
  private readonly blocksDir: string;
  private readonly tmpDir: string;
  private tmpSeq = 0;
  private readonly handles = new BlockHandles((file) => this.createBlockFile(file));
  /** Each shard's block files, so a payload's blocks are found without a directory scan. */
  private readonly index = new ShardIndex();
  private readonly syncs = new BlockSyncs(this.handles);

  private constructor(readonly root: string) {
    this.blocksDir = join(root, BLOCKS_DIR);
    this.tmpDir = join(root, TMP_DIR);
  }

  /**
   * Opens the store `owner` (its name) under `root`, creating it in a missing or empty
   * folder; any other folder, and another store's, is refused untouched (layout.ts).
   */
  static async open(root: string, owner?: string): Promise<FsBlockStore> {
    await openLayout(root, owner);
    return new FsBlockStore(root);
  }

  async put(key: string, data: Buffer): Promise<void> {
    assertValidKey(key);
    const file = blockPath(this.blocksDir, key);
    const tmp = join(this.tmpDir, `${++this.tmpSeq}.tmp`);
    try {
      const replacing = await exists(file);
      const fd = openSync(tmp, 'w');
      try {
        await writeAll(fd, data, 0);
        if (replacing) await syncFd(fd, true);
      } finally {
        closeSync(fd);
      }
      if (!replacing) this.makeDirs(dirname(file));
      await rename(tmp, file);
      this.noteAdded(file);
      this.handles.invalidate(file);
      if (replacing) this.syncs.fileReplaced(file);
      else this.syncs.fileChanged(file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined); // it may never have been created
      throw fsError(err);
    }
    this.syncs.dirChanged(dirname(file));
  }

  /** In place through a cached handle; sync fdatasyncs the file (and its directory, if the block is new). */
  async patch(key: string, ranges: readonly BlockRange[]): Promise<void> {
    assertValidKey(key);
    for (const r of ranges) assertByteRange(r.offset, r.data.length);
    const file = blockPath(this.blocksDir, key);
    let handle;
    try {
      handle = await this.writableHandle(file, key);
    } catch (err) {
      throw fsError(err);
    }
    try {
      await Promise.all(ranges.map((r) => writeAll(handle.fd, r.data, r.offset)));
    } catch (err) {
      throw fsError(err);
    } finally {
      // Even a failed patch may have changed the file.
      this.syncs.fileChanged(file);
      this.handles.release(handle);
    }
  }

  async has(key: string): Promise<boolean> {
    assertValidKey(key);
    const file = blockPath(this.blocksDir, key);
    const names = await this.index.namesOf(dirname(file), firstSegment(key)).catch((err: unknown) => {
      throw fsError(err);
    });
    return names.has(basename(file));
  }

  async get(key: string, offset = 0, length?: number, into?: Buffer): Promise<Buffer | undefined> {
    assertValidKey(key);
    assertByteRange(offset, length ?? 0);
    const file = blockPath(this.blocksDir, key);
    let handle;
    try {
      handle = this.handles.acquire(file);
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw fsError(err);
    }
    try {
      const want = length ?? Math.max(0, fstatSync(handle.fd).size - offset);
      const buf = into !== undefined && into.length >= want ? into : Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const bytesRead = await pread(handle.fd, buf, got, want - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === buf.length ? buf : buf.subarray(0, got);
    } catch (err) {
      throw fsError(err);
    } finally {
      this.handles.release(handle);
    }
  }

  /** Opened on the event loop if the block exists, created on the threadpool if not (block-handles.ts). */
  private async writableHandle(file: string, key: string): Promise<BlockHandle> {
    const open = this.handles.acquireIfOpen(file);
    if (open !== undefined) return open;
    if ((await this.index.namesOf(dirname(file), firstSegment(key))).has(basename(file))) {
      try {
        return this.handles.acquire(file);
      } catch (err) {
        if (errno(err) !== 'ENOENT') throw err;
      }
    }
    return this.handles.acquireCreating(file);
  }

  /** A new block file, open read-write (an existing one if another creator won). */
  private async createBlockFile(file: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = await openAsync(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL);
        this.noteAdded(file);
        this.syncs.dirChanged(dirname(file));
        return fd;
      } catch (err) {
        const code = errno(err);
        if (code === 'EEXIST') return openSync(file, 'r+');
        if (code !== 'ENOENT' || attempt > 0) throw err;
        this.makeDirs(dirname(file)); // a new shard
      }
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    const file = blockPath(this.blocksDir, key);
    try {
      await unlink(file);
      this.syncs.dirChanged(dirname(file));
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw fsError(err);
    } finally {
      this.handles.invalidate(file);
    }
    this.index.removed(dirname(file), basename(file));
  }

  private noteAdded(file: string): void {
    this.index.added(dirname(file), basename(file));
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertValidPrefix(prefix);
    const keys: string[] = [];
    for await (const [key] of this.entries(prefix)) keys.push(key);
    if (keys.length > 0) await Promise.all(keys.map((key) => this.delete(key)));
  }

  async *list(prefix: string): AsyncGenerator<string> {
    assertValidPrefix(prefix);
    for await (const [key] of this.entries(prefix)) yield key;
  }

  /**
   * Makes what was written durable (block-syncs.ts). With a prefix (a payload's COMMIT),
   * only that payload's block files and its shard directory.
   */
  async sync(prefix?: string): Promise<void> {
    if (prefix === undefined || !prefix.includes('/')) return this.syncs.all();
    assertValidPrefix(prefix);
    const shardDir = join(this.blocksDir, shardOf(firstSegment(prefix)));
    await this.syncs.some(shardDir, join(shardDir, fileNameOf(prefix)));
  }

  /** The disk is otherwise idle while a long write streams into the page cache: use it. */
  syncAhead(key: string): void {
    this.syncs.ahead(blockPath(this.blocksDir, key));
  }

  async close(): Promise<void> {
    this.handles.dropAll();
    try {
      await this.sync();
    } finally {
      this.syncs.close();
    }
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
    // Names are compared before they are decoded; the key itself decides ("a.blk" starts with "a.").
    const namePrefix = fileNameOf(prefix);
    if (prefix.includes('/')) {
      // A prefix with a whole first segment lies in one shard, and the index knows its names.
      const segment = firstSegment(prefix);
      const dir = join(this.blocksDir, shardOf(segment));
      const names = await this.index.namesOf(dir, segment).catch((err: unknown) => {
        throw fsError(err);
      });
      // A copy: the caller may delete as it goes.
      for (const name of [...names]) {
        const key = name.startsWith(namePrefix) ? keyOfFileName(name) : undefined;
        if (key?.startsWith(prefix)) yield [key, join(dir, name)];
      }
      return;
    }
    // A shorter one may be in any shard.
    const shards = (await readDir(this.blocksDir)).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const shard of shards) {
      const dir = join(this.blocksDir, shard);
      for (const entry of await readDir(dir)) {
        if (!entry.isFile() || !entry.name.startsWith(namePrefix)) continue;
        const key = keyOfFileName(entry.name);
        if (key?.startsWith(prefix)) yield [key, join(dir, entry.name)];
      }
    }
  }

  private makeDirs(dir: string): void {
    const created = mkdirSync(dir, { recursive: true });
    if (created === undefined) return;
    // Each new directory is a new entry in its parent, which must be synced as well.
    for (let d = dir; d.length >= created.length; d = dirname(d)) this.syncs.dirChanged(dirname(d));
  }
}

function openAsync(file: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => open(file, flags, 0o666, (err, fd) => (err ? reject(err) : resolve(fd))));
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errno(err) === 'ENOENT') return []; // removed while we walked
    throw fsError(err);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
