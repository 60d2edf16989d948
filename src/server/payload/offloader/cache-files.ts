/**
 * The offloader's local copies of contents, one file per content hash under
 * `<dir>/<hash[0..2]>/<hash>`: written whole (temp file + rename), read by range, fsynced on
 * `sync` (the files written since the last one).
 */
import { mkdirSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export class CacheFiles {
  private unsynced = new Set<string>();
  /** Subdirectories known to exist (a sync mkdir per write would stall the event loop). */
  private readonly made = new Set<string>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(hash: string): string {
    return path.join(this.dir, hash.slice(0, 2), hash);
  }

  async write(hash: string, data: Buffer): Promise<void> {
    const file = this.file(hash);
    const dir = path.dirname(file);
    if (!this.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    const tmp = `${file}.tmp`;
    const fd = await open(tmp, 'w');
    try {
      await fd.writeFile(data);
    } finally {
      await fd.close();
    }
    await rename(tmp, file);
    this.unsynced.add(hash);
  }

  /** Bytes [offset, offset + length) (shorter at the end), or undefined if the file is gone. */
  async read(hash: string, offset: number, length: number | undefined, into?: Buffer): Promise<Buffer | undefined> {
    let fd;
    try {
      fd = await open(this.file(hash), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const n = length ?? Math.max(0, (await fd.stat()).size - offset);
      const out = into !== undefined && into.length >= n ? into.subarray(0, n) : Buffer.allocUnsafe(n);
      const { bytesRead } = await fd.read(out, 0, n, offset);
      return out.subarray(0, bytesRead);
    } finally {
      await fd.close();
    }
  }

  async remove(hash: string): Promise<void> {
    this.unsynced.delete(hash);
    await rm(this.file(hash), { force: true });
  }

  async sync(): Promise<void> {
    const hashes = this.unsynced;
    this.unsynced = new Set();
    const dirs = new Set<string>();
    await Promise.all(
      [...hashes].map(async (hash) => {
        dirs.add(path.dirname(this.file(hash)));
        const fd = await open(this.file(hash), 'r').catch(() => undefined);
        await fd?.datasync();
        await fd?.close();
      }),
    );
    await Promise.all(
      [...dirs].map(async (dir) => {
        const fd = await open(dir, 'r');
        await fd.sync();
        await fd.close();
      }),
    );
  }
}
