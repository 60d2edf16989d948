import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDittoError } from '../../../../shared/errors.ts';
import { FsBlockStore } from './fs-store.ts';
import { FORMAT_LINE, shardOf } from './paths.ts';

describe('FsBlockStore on disk', () => {
  let root: string;
  let store: FsBlockStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dittofs-fsstore-'));
    store = await FsBlockStore.open(root);
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  async function codeOf(op: Promise<unknown>): Promise<unknown> {
    const err = await op.then(
      () => undefined,
      (e: unknown) => e,
    );
    return isDittoError(err) ? err.code : err;
  }

  it("keeps a block as one flat file in its payload's shard, and leaves no temp files", async () => {
    await store.put('abc/0/1', Buffer.from('x'));
    await store.patch('abc/0/2', [{ offset: 0, data: Buffer.from('y') }]);
    expect((await readdir(join(root, 'blocks', shardOf('abc')))).sort()).toEqual(['abc.0.1.blk', 'abc.0.2.blk']);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(new Set(['abc', 'abd', 'p1', 'p2', 'zz'].map(shardOf)).size).toBeGreaterThan(1);
  });

  it("deletes a payload's blocks and no other's in the same shard", async () => {
    // 'ab' and 'abc' must not be confused: 'ab/' is not a prefix of 'abc/...'.
    const shard = shardOf('abc');
    const other = ['ab', 'abcd', 'x', 'y', 'z', 'q1', 'q2', 'q3'].find((p) => shardOf(p) === shard);
    await store.put('abc/0/1', Buffer.from('x'));
    await store.put('abc/3/2', Buffer.from('y'));
    await store.put('ab/0/0', Buffer.from('z'));
    if (other) await store.put(`${other}/0/0`, Buffer.from('w'));
    await store.deletePrefix('abc/');
    expect(await store.get('abc/0/1')).toBeUndefined();
    expect((await store.get('ab/0/0'))?.toString()).toBe('z');
    if (other) expect((await store.get(`${other}/0/0`))?.toString()).toBe('w');
  });

  it('writes its FORMAT once, and refuses blocks in another layout', async () => {
    expect(await readFile(join(root, 'FORMAT'), 'utf8')).toBe(FORMAT_LINE);
    await store.put('abc/0/1', Buffer.from('x'));
    await store.close();
    store = await FsBlockStore.open(root); // its own layout: fine
    expect((await store.get('abc/0/1'))?.toString()).toBe('x');
    await rm(join(root, 'FORMAT'));
    expect(await codeOf(FsBlockStore.open(root))).toBe('IO');
    await writeFile(join(root, 'FORMAT'), 'something else\n');
    expect(await codeOf(FsBlockStore.open(root))).toBe('IO');
  });

  it('clears temp files a crash left behind', async () => {
    await writeFile(join(root, 'tmp', '1.tmp'), 'half a block');
    await store.close();
    store = await FsBlockStore.open(root);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it.skipIf(!existsSync('/dev/full'))('reports a full disk as NO_SPACE', async () => {
    // The next temp file is 1.tmp; pointing it at /dev/full makes the write fail with ENOSPC.
    await symlink('/dev/full', join(root, 'tmp', '1.tmp'));
    expect(await codeOf(store.put('p/0/0', Buffer.alloc(4096)))).toBe('NO_SPACE');
    expect(await store.get('p/0/0')).toBeUndefined();
  });

  it.skipIf(!existsSync('/dev/full'))('reports a full disk on a write through as NO_SPACE', async () => {
    // A block file that is /dev/full: the in-place write fails with ENOSPC.
    await mkdir(join(root, 'blocks', shardOf('p')), { recursive: true });
    await symlink('/dev/full', join(root, 'blocks', shardOf('p'), 'p.0.0.blk'));
    expect(await codeOf(store.patch('p/0/0', [{ offset: 0, data: Buffer.alloc(4096) }]))).toBe('NO_SPACE');
    // The store keeps working for other blocks.
    await store.patch('q/0/0', [{ offset: 0, data: Buffer.from('fine') }]);
    expect((await store.get('q/0/0'))?.toString()).toBe('fine');
    await store.delete('p/0/0'); // (fdatasync of /dev/full itself fails: not part of this test)
    await store.sync();
  });

  it('reports other failures as IO', async () => {
    await writeFile(join(root, 'blocks', shardOf('p')), 'a file where a directory belongs');
    expect(await codeOf(store.put('p/0/0', Buffer.from('x')))).toBe('IO');
    expect(await codeOf(store.get('p/0/0'))).toBe('IO');
  });
});
