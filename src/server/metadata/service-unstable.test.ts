import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MetadataService } from './service.ts';
import { SqliteMetadataStore } from './stores/sqlite/sqlite-store.ts';
import { ALICE, ROOT, rejects, setup, tmpDir } from './testing.ts';

const guarded = { kind: 'guarded' } as const;

describe('MetadataService unstable writes', () => {
  it('shows the new size at once in every attribute read, without a store write', async () => {
    const f = await setup();
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const tx = vi.spyOn(f.store, 'transaction');
    const w = await f.svc.commitWrite(ROOT, handle, 4096, false);
    expect(tx).not.toHaveBeenCalled();
    expect(w.before?.size).toBe(0);
    expect(w.after).toMatchObject({ size: 4096, used: 4096 });
    expect(w.after?.mtime).not.toEqual(attr.mtime);
    expect((await f.store.getFile(attr.fileid))?.attr.size).toBe(0);

    expect(await f.svc.getAttr(ROOT, handle)).toEqual(w.after);
    expect((await f.svc.lookup(ROOT, f.root, 'f')).attr).toEqual(w.after);
    expect((await f.svc.access(ROOT, handle, 0x3f)).attr).toEqual(w.after);
    expect((await f.svc.prepareRead(ROOT, handle)).size).toBe(4096);
    const page = await f.svc.readDir(ROOT, f.root, 0, undefined, 10);
    expect(page.entries.find((e) => e.name === 'f')?.attr).toEqual(w.after);
  });

  it('commits a lazy create lazily, and a flush of the new file makes it durable', async () => {
    const f = await setup();
    const tx = vi.spyOn(f.store, 'transaction');
    const { handle } = await f.svc.create(ROOT, f.root, 'f', {}, guarded, { lazy: true });
    expect(tx).toHaveBeenCalledTimes(1);
    expect(tx.mock.calls[0]![1]).toEqual({ lazy: true });
    // A COMMIT with nothing to store writes nothing; a flush that covers lazy changes syncs.
    await f.svc.persistWrites(ROOT, handle);
    expect(tx).toHaveBeenCalledTimes(1);
    await f.svc.persistWrites(ROOT, handle, 'flush');
    expect(tx).toHaveBeenCalledTimes(2);
    expect(tx.mock.calls[1]![1]).toBeUndefined();
    // With writes of its own, their durable transaction is the sync.
    await f.svc.commitWrite(ROOT, handle, 4096, false);
    await f.svc.persistWrites(ROOT, handle, 'flush');
    expect(tx).toHaveBeenCalledTimes(3);
  });

  it('stores lazily at an SMB close, and a durable store of the file after it syncs that', async () => {
    const f = await setup();
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const tx = vi.spyOn(f.store, 'transaction');
    await f.svc.commitWrite(ROOT, handle, 4096, false);
    await f.svc.persistWrites(ROOT, handle, 'lazy');
    expect(tx).toHaveBeenCalledTimes(1);
    expect(tx.mock.calls[0]![1]).toEqual({ lazy: true });
    expect((await f.store.getFile(attr.fileid))?.attr.size).toBe(4096);
    // A COMMIT of the file now has nothing to store, but what it answers must be durable.
    await f.svc.persistWrites(ROOT, handle);
    expect(tx).toHaveBeenCalledTimes(2);
    expect(tx.mock.calls[1]![1]).toBeUndefined();
    // Once synced, a COMMIT with nothing to store writes nothing.
    await f.svc.persistWrites(ROOT, handle);
    expect(tx).toHaveBeenCalledTimes(2);
    // A FILE_SYNC write after a lazy store is synced as well (its own durable transaction and
    // the empty one after the lazy store it may have shared).
    await f.svc.commitWrite(ROOT, handle, 8192, false);
    await f.svc.persistWrites(ROOT, handle, 'lazy');
    await f.svc.commitWrite(ROOT, handle, 12288, true);
    expect(tx.mock.calls.slice(2).map((c) => c[1])).toEqual([{ lazy: true }, undefined, undefined]);
    expect((await f.store.getFile(attr.fileid))?.attr.size).toBe(12288);
  });

  it('keeps the largest end of concurrent writes and stores it on persistWrites', async () => {
    const f = await setup();
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const ends = Array.from({ length: 64 }, (_, i) => ((i * 37) % 64) * 4096 + 4096);
    await Promise.all(ends.map((end) => f.svc.commitWrite(ROOT, handle, end, false)));
    expect((await f.svc.getAttr(ROOT, handle)).size).toBe(64 * 4096);
    const tx = vi.spyOn(f.store, 'transaction');
    const [a, b] = await Promise.all([f.svc.persistWrites(ROOT, handle), f.svc.persistWrites(ROOT, handle)]);
    expect(tx).toHaveBeenCalledTimes(1);
    expect(a).toEqual(b);
    expect((await f.store.getFile(attr.fileid))?.attr).toEqual(a);
    expect(a.size).toBe(64 * 4096);
    // Nothing left: no further store write.
    await f.svc.persistWrites(ROOT, handle);
    expect(tx).toHaveBeenCalledTimes(1);
  });

  it('stores earlier unstable writes with a stable one', async () => {
    const f = await setup();
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await f.svc.commitWrite(ROOT, handle, 8192, false);
    const w = await f.svc.commitWrite(ROOT, handle, 100);
    expect(w.after?.size).toBe(8192);
    expect((await f.store.getFile(attr.fileid))?.attr.size).toBe(8192);
  });

  it('lets a truncation or utimes after the writes win', async () => {
    const f = await setup();
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await f.svc.commitWrite(ROOT, handle, 1 << 20, false);
    await f.svc.setAttr(ROOT, handle, { size: 10 });
    expect((await f.svc.getAttr(ROOT, handle)).size).toBe(10);
    expect((await f.store.getFile(attr.fileid))?.attr.size).toBe(10);
    await f.svc.persistWrites(ROOT, handle);
    expect((await f.svc.getAttr(ROOT, handle)).size).toBe(10);

    // cp -p: write, then set the source's mtime.
    await f.svc.commitWrite(ROOT, handle, 4096, false);
    const mtime = { sec: 1_000_000, nsec: 5 };
    await f.svc.setAttr(ROOT, handle, { mtime });
    expect(await f.svc.getAttr(ROOT, handle)).toMatchObject({ size: 4096, mtime });

    // CREATE UNCHECKED with a size truncates too.
    await f.svc.commitWrite(ROOT, handle, 9000, false);
    await f.svc.create(ROOT, f.root, 'f', { size: 0 }, { kind: 'unchecked' });
    expect((await f.svc.getAttr(ROOT, handle)).size).toBe(0);
    await f.svc.persistWrites(ROOT, handle);
    expect((await f.store.getFile(attr.fileid))?.attr.size).toBe(0);
  });

  it('keeps the writes when a guarded SETATTR fails', async () => {
    const f = await setup();
    const { handle } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await f.svc.commitWrite(ROOT, handle, 777, false);
    await rejects(f.svc.setAttr(ROOT, handle, { size: 1 }, { sec: 1, nsec: 1 }), 'NOT_SYNC');
    expect((await f.svc.getAttr(ROOT, handle)).size).toBe(777);
  });

  it('clears setuid/setgid for a non-root writer', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o6775 }, guarded);
    await f.svc.setAttr(ROOT, handle, { mode: 0o6775 });
    expect((await f.svc.commitWrite(ROOT, handle, 1, false)).after?.mode).toBe(0o6775);
    expect((await f.svc.commitWrite(ALICE, handle, 2, false)).after?.mode).toBe(0o775);
    expect((await f.svc.persistWrites(ROOT, handle)).mode).toBe(0o775);
  });

  it('forgets the writes of a removed file', async () => {
    const f = await setup();
    const { handle } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await f.svc.commitWrite(ROOT, handle, 10, false);
    await f.svc.remove(ROOT, f.root, 'f');
    await rejects(f.svc.getAttr(ROOT, handle), 'STALE_HANDLE');
    await f.svc.flushAll();
  });

  it('on SQLite: COMMITted sizes survive a crash, uncommitted ones are lost, shutdown stores them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dittofs-unstable-'));
    const open = () => SqliteMetadataStore.open(join(dir, 'meta.db'));
    try {
      let f = await setup({}, await open());
      const a = await f.svc.create(ROOT, f.root, 'a', {}, guarded);
      const b = await f.svc.create(ROOT, f.root, 'b', {}, guarded);
      await f.svc.commitWrite(ROOT, a.handle, 5000, false);
      await f.svc.persistWrites(ROOT, a.handle);
      await f.svc.commitWrite(ROOT, a.handle, 9000, false); // after the COMMIT
      await f.svc.commitWrite(ROOT, b.handle, 3000, false);
      // A crash: the store goes away without the service storing anything.
      await f.store.close();

      f = await setup({}, await open(), new MetadataService());
      expect((await f.svc.getAttr(ROOT, a.handle)).size).toBe(5000);
      expect((await f.svc.getAttr(ROOT, b.handle)).size).toBe(0);
      await f.svc.commitWrite(ROOT, b.handle, 3000, false);
      await f.svc.flushAll(); // Runtime.stop
      await f.store.close();

      f = await setup({}, await open(), new MetadataService());
      expect((await f.svc.getAttr(ROOT, b.handle)).size).toBe(3000);
      await f.store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
