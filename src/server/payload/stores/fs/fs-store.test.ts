import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDittoError } from '../../../../shared/errors.ts';
import { FsBlockStore } from './fs-store.ts';
import { shardOf } from './paths.ts';

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

  it('shards payloads and leaves no temp files', async () => {
    await store.put('abc/0/1', Buffer.from('x'));
    expect(existsSync(join(root, 'blocks', shardOf('abc'), 'abc', '0', '1.blk'))).toBe(true);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(new Set(['abc', 'abd', 'p1', 'p2', 'zz'].map(shardOf)).size).toBeGreaterThan(1);
  });

  it('removes the whole directory tree of a deleted payload', async () => {
    await store.put('abc/0/1', Buffer.from('x'));
    await store.put('abc/3/2', Buffer.from('y'));
    await store.deletePrefix('abc/');
    expect(await readdir(join(root, 'blocks', shardOf('abc')))).toEqual([]);
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

  it('reports other failures as IO', async () => {
    await mkdir(join(root, 'blocks', shardOf('p')), { recursive: true });
    await writeFile(join(root, 'blocks', shardOf('p'), 'p'), 'a file where a directory belongs');
    expect(await codeOf(store.put('p/0/0', Buffer.from('x')))).toBe('IO');
    expect(await codeOf(store.get('p/0/0'))).toBe('IO');
  });
});
