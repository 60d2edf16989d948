import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDittoError } from '../../../../shared/errors.ts';
import { refusal } from '../../../testing/refusal.ts';
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

  it("finds a payload's blocks without a scan, across puts, patches, deletes and a reopen", async () => {
    const keysOf = async (prefix: string): Promise<string[]> => {
      const keys: string[] = [];
      for await (const key of store.list(prefix)) keys.push(key);
      return keys.sort();
    };
    await store.put('abc/0/0', Buffer.from('a'));
    expect(await keysOf('abc/')).toEqual(['abc/0/0']); // the shard is read here
    // Made while the shard is being read, and after: both are known.
    const [during] = await Promise.all([
      keysOf('abc/'),
      store.patch('abc/0/1', [{ offset: 0, data: Buffer.from('b') }]),
    ]);
    expect(during).toContain('abc/0/0');
    await store.put('abc/1/0', Buffer.from('c'));
    await store.delete('abc/0/0');
    expect(await keysOf('abc/')).toEqual(['abc/0/1', 'abc/1/0']);
    expect(await keysOf('abc/1/')).toEqual(['abc/1/0']);
    await store.close();
    store = await FsBlockStore.open(root);
    expect(await keysOf('abc/')).toEqual(['abc/0/1', 'abc/1/0']);
    await store.deletePrefix('abc/');
    expect(await keysOf('abc/')).toEqual([]);
    expect(await readdir(join(root, 'blocks', shardOf('abc')))).toEqual([]);
  });

  it('writes its FORMAT once, and refuses blocks in another layout', async () => {
    expect(await readFile(join(root, 'FORMAT'), 'utf8')).toBe(FORMAT_LINE);
    await store.put('abc/0/1', Buffer.from('x'));
    await store.close();
    store = await FsBlockStore.open(root); // its own layout: fine
    expect((await store.get('abc/0/1'))?.toString()).toBe('x');
    await rm(join(root, 'FORMAT'));
    expect(await codeOf(FsBlockStore.open(root))).toBe('CONFLICT');
    await writeFile(join(root, 'FORMAT'), 'something else\n');
    expect(await codeOf(FsBlockStore.open(root))).toBe('CONFLICT');
  });

  it('clears the temp files a crash left behind, and only those', async () => {
    await writeFile(join(root, 'tmp', '1.tmp'), 'half a block');
    await writeFile(join(root, 'tmp', 'notes.txt'), 'put here by hand');
    await store.close();
    store = await FsBlockStore.open(root);
    expect(await readdir(join(root, 'tmp'))).toEqual(['notes.txt']);
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

describe('FsBlockStore.open: only its own folder', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dittofs-fsstore-open-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a folder with files it did not make (a tmp/ among them), writing and deleting nothing', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, 'tmp'), { recursive: true });
    await writeFile(join(home, 'tmp', 'draft.txt'), 'mine');
    await writeFile(join(home, '.profile'), 'export PATH');
    const before = await snapshot(home);
    const err = await refusal(FsBlockStore.open(home, 'p'));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/is not empty/);
    expect(await snapshot(home)).toEqual(before);
  });

  it('creates a missing folder, or fills an empty one, naming its store in FORMAT', async () => {
    const fresh = join(dir, 'a', 'b');
    const store = await FsBlockStore.open(fresh, 'p');
    await store.close();
    expect(await readFile(join(fresh, 'FORMAT'), 'utf8')).toBe(`${FORMAT_LINE}store: p\n`);
    expect((await readdir(fresh)).sort()).toEqual(['FORMAT', 'blocks', 'tmp']);
  });

  it('refuses a file where its folder should be', async () => {
    await writeFile(join(dir, 'file'), 'x');
    expect((await refusal(FsBlockStore.open(join(dir, 'file'), 'p'))).code).toBe('NOT_DIRECTORY');
  });

  it("reopens for its own store only; another store's layout is refused and kept", async () => {
    const store = await FsBlockStore.open(dir, 'p1');
    await store.put('abc/0/1', Buffer.from('x'));
    await store.close();
    const before = await snapshot(dir);
    const err = await refusal(FsBlockStore.open(dir, 'p2'));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/payload store "p1"/);
    expect(await snapshot(dir)).toEqual(before);
    const again = await FsBlockStore.open(dir, 'p1');
    expect((await again.get('abc/0/1'))?.toString()).toBe('x');
    await again.close();
  });

  it('opens a store made before FORMAT named its store, serves its blocks, and claims it', async () => {
    // The layout as the previous version left it.
    await writeFile(join(dir, 'FORMAT'), FORMAT_LINE);
    await mkdir(join(dir, 'blocks', shardOf('abc')), { recursive: true });
    await writeFile(join(dir, 'blocks', shardOf('abc'), 'abc.0.1.blk'), 'old data');
    await mkdir(join(dir, 'tmp'));
    const store = await FsBlockStore.open(dir, 'old');
    expect((await store.get('abc/0/1'))?.toString()).toBe('old data');
    expect(await store.list('abc/').next()).toEqual({ done: false, value: 'abc/0/1' });
    await store.close();
    expect(await readFile(join(dir, 'FORMAT'), 'utf8')).toBe(`${FORMAT_LINE}store: old\n`);
    expect((await refusal(FsBlockStore.open(dir, 'new'))).code).toBe('CONFLICT');
  });
});

/** Every path under `dir` with its content: what "untouched" compares. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = join(e.parentPath, e.name);
    out[full] = e.isFile() ? await readFile(full, 'utf8') : '<dir>';
  }
  return out;
}
