import { describe, expect, it } from 'vitest';
import { MetadataService } from './service.ts';
import { MemoryMetadataStore } from './stores/memory/memory-store.ts';
import { ON_FOLDER, OPTIONS, ROOT, rejects, setup } from './testing.ts';
import { FileType } from './types.ts';

describe('MetadataService share registry and handles', () => {
  it('creates the root directory (0755 root:root, nlink 2) and hands out small handles', async () => {
    const f = await setup();
    expect(f.root.length).toBeLessThanOrEqual(64);
    expect(f.svc.shareOf(f.root)).toBe('/export');
    const attr = await f.svc.getAttr(ROOT, f.root);
    expect(attr).toMatchObject({ type: FileType.Directory, mode: 0o755, uid: 0, gid: 0, nlink: 2 });
    const { handle } = await f.svc.create(ROOT, f.root, 'f', {}, { kind: 'guarded' });
    expect(handle.length).toBeLessThanOrEqual(64);
  });

  it('uses the registration root owner and mode for a new namespace only', async () => {
    const store = new MemoryMetadataStore();
    const svc = new MetadataService();
    await svc.registerShare('a', {
      id: 1,
      store,
      options: OPTIONS,
      enabled: true,
      root: { uid: 5, gid: 6, mode: 0o2770 },
    });
    expect(await svc.getAttr(ROOT, await svc.rootHandle('a'))).toMatchObject({ uid: 5, gid: 6, mode: 0o2770 });
    svc.unregisterShare('a');
    await svc.registerShare('a', {
      id: 1,
      store,
      options: OPTIONS,
      enabled: true,
      root: { uid: 9, gid: 9, mode: 0o700 },
    });
    expect(await svc.getAttr(ROOT, await svc.rootHandle('a'))).toMatchObject({ uid: 5, gid: 6, mode: 0o2770 });
  });

  it('keeps files when a share is unregistered and registered again on the same store', async () => {
    const f = await setup();
    const { handle } = await f.svc.create(ROOT, f.root, 'kept', {}, { kind: 'guarded' });
    f.svc.unregisterShare('/export');
    await rejects(f.svc.getAttr(ROOT, handle), 'STALE_HANDLE');
    await rejects(f.svc.rootHandle('/export'), 'NOT_FOUND');
    await f.svc.registerShare('/export', { id: 7, store: f.store, options: OPTIONS, enabled: true });
    const root = await f.svc.rootHandle('/export');
    expect(root.equals(f.root)).toBe(true);
    expect((await f.svc.lookup(ROOT, root, 'kept')).handle.equals(handle)).toBe(true);
  });

  it.skipIf(ON_FOLDER)('gives shares on one store separate namespaces that handles cannot cross', async () => {
    const f = await setup();
    await f.svc.registerShare('/other', { id: 8, store: f.store, options: OPTIONS, enabled: true });
    const other = await f.svc.rootHandle('/other');
    expect(other.equals(f.root)).toBe(false);
    const { handle } = await f.svc.create(ROOT, f.root, 'secret', {}, { kind: 'guarded' });
    await rejects(f.svc.lookup(ROOT, other, 'secret'), 'NOT_FOUND');
    // A handle forged to claim the other share must not reach this share's file.
    const forged = Buffer.from(handle);
    forged.writeUInt32BE(8, 1);
    await rejects(f.svc.getAttr(ROOT, forged), 'STALE_HANDLE');
    expect(f.svc.shareOf(other)).toBe('/other');
  });

  it('rejects malformed handles and reports unknown shares, other stores and deleted files as stale', async () => {
    const f = await setup();
    expect(() => f.svc.shareOf(Buffer.alloc(3))).toThrow(expect.objectContaining({ code: 'BAD_HANDLE' }));
    await rejects(f.svc.getAttr(ROOT, Buffer.concat([f.root, Buffer.alloc(1)])), 'BAD_HANDLE');
    const badVersion = Buffer.from(f.root);
    badVersion[0] = 9;
    await rejects(f.svc.getAttr(ROOT, badVersion), 'BAD_HANDLE');
    const zeroId = Buffer.from(f.root);
    zeroId.fill(0, 9);
    await rejects(f.svc.getAttr(ROOT, zeroId), 'BAD_HANDLE');
    const unknownShare = Buffer.from(f.root);
    unknownShare.writeUInt32BE(99, 1);
    await rejects(f.svc.getAttr(ROOT, unknownShare), 'STALE_HANDLE');
    const otherEpoch = Buffer.from(f.root);
    otherEpoch.writeUInt32BE((f.store.epoch + 1) >>> 0, 5);
    await rejects(f.svc.getAttr(ROOT, otherEpoch), 'STALE_HANDLE');

    const { handle } = await f.svc.create(ROOT, f.root, 'gone', {}, { kind: 'guarded' });
    await f.svc.remove(ROOT, f.root, 'gone');
    await rejects(f.svc.getAttr(ROOT, handle), 'STALE_HANDLE');
    // A new file never takes the removed file's id, so the old handle stays stale.
    const again = await f.svc.create(ROOT, f.root, 'gone', {}, { kind: 'guarded' });
    expect(again.handle.equals(handle)).toBe(false);
    await rejects(f.svc.getAttr(ROOT, handle), 'STALE_HANDLE');
  });

  it('refuses, in every operation, a handle built from a guessed fileid or with a wrong generation', async () => {
    const f = await setup();
    const dir = await f.svc.mkdir(ROOT, f.root, 'd', {});
    const file = await f.svc.create(ROOT, dir.handle, 'f', {}, { kind: 'guarded' });
    await f.svc.commitWrite(ROOT, file.handle, 10, false);
    /** The root's handle with another fileid: what a client that saw the fileid in READDIR could build. */
    const guess = (fileid: number): Buffer => {
      const h = Buffer.from(f.root);
      h.writeUInt32BE(Math.floor(fileid / 2 ** 32), 9);
      h.writeUInt32BE(fileid % 2 ** 32, 13);
      return h;
    };
    const wrongGeneration = Buffer.from(file.handle);
    wrongGeneration[wrongGeneration.length - 1]! ^= 1;
    const d = guess(dir.attr.fileid);
    for (const fh of [guess(file.attr.fileid), wrongGeneration]) {
      await rejects(f.svc.getAttr(ROOT, fh), 'STALE_HANDLE');
      await rejects(f.svc.access(ROOT, fh, 0x3f), 'STALE_HANDLE');
      await rejects(f.svc.setAttr(ROOT, fh, { mode: 0o777 }), 'STALE_HANDLE');
      await rejects(f.svc.prepareRead(ROOT, fh), 'STALE_HANDLE');
      await rejects(f.svc.prepareWrite(ROOT, fh), 'STALE_HANDLE');
      await rejects(f.svc.commitWrite(ROOT, fh, 20), 'STALE_HANDLE');
      await rejects(f.svc.persistWrites(ROOT, fh), 'STALE_HANDLE');
      await rejects(f.svc.readLink(ROOT, fh), 'STALE_HANDLE');
      await rejects(f.svc.fsStat(ROOT, fh), 'STALE_HANDLE');
      await rejects(f.svc.link(ROOT, fh, f.root, 'hard'), 'STALE_HANDLE');
    }
    await rejects(f.svc.lookup(ROOT, d, 'f'), 'STALE_HANDLE');
    await rejects(f.svc.readDir(ROOT, d, 0, undefined, 10), 'STALE_HANDLE');
    await rejects(f.svc.create(ROOT, d, 'n', {}, { kind: 'guarded' }), 'STALE_HANDLE');
    await rejects(f.svc.mkdir(ROOT, d, 'n', {}), 'STALE_HANDLE');
    await rejects(f.svc.symlink(ROOT, d, 'n', 't', {}), 'STALE_HANDLE');
    await rejects(f.svc.mknod(ROOT, d, 'n', FileType.Fifo, {}, { major: 0, minor: 0 }), 'STALE_HANDLE');
    await rejects(f.svc.remove(ROOT, d, 'f'), 'STALE_HANDLE');
    await rejects(f.svc.rmdir(ROOT, d, 'f'), 'STALE_HANDLE');
    await rejects(f.svc.rename(ROOT, d, 'f', f.root, 'g'), 'STALE_HANDLE');
    await rejects(f.svc.rename(ROOT, f.root, 'd', d, 'g'), 'STALE_HANDLE');
    // Nothing changed, and the real handles work.
    expect((await f.svc.getAttr(ROOT, file.handle)).size).toBe(10);
    expect((await f.svc.readDir(ROOT, dir.handle, 0, undefined, 10)).entries.map((e) => e.name)).toEqual(['f']);
    expect((await f.svc.readDir(ROOT, f.root, 0, undefined, 10)).entries.map((e) => e.name)).toEqual(['d']);
  });

  it('serves a share root by its handle of the earlier format (no generation); other such handles are stale', async () => {
    const f = await setup();
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, { kind: 'guarded' });
    /** Version 1 layout: [1][share id u32][epoch u32][fileid u64]. */
    const v1 = (fileid: number): Buffer => {
      const h = Buffer.alloc(17);
      h[0] = 1;
      h.writeUInt32BE(7, 1);
      h.writeUInt32BE(f.store.epoch, 5);
      h.writeUInt32BE(Math.floor(fileid / 2 ** 32), 9);
      h.writeUInt32BE(fileid % 2 ** 32, 13);
      return h;
    };
    const oldRoot = v1(f.svc.listShares()[0]!.rootFileId);
    expect((await f.svc.getAttr(ROOT, oldRoot)).type).toBe(FileType.Directory);
    // A client holding the old root handle looks its files up again and gets current handles.
    expect((await f.svc.lookup(ROOT, oldRoot, 'f')).handle.equals(handle)).toBe(true);
    await rejects(f.svc.getAttr(ROOT, v1(attr.fileid)), 'STALE_HANDLE');
  });

  it('serves nothing from a disabled share until it is enabled again', async () => {
    const f = await setup();
    f.svc.updateShare('/export', { enabled: false });
    await rejects(f.svc.rootHandle('/export'), 'NOT_FOUND');
    await rejects(f.svc.getAttr(ROOT, f.root), 'STALE_HANDLE');
    expect(() => f.svc.shareOf(f.root)).toThrow(expect.objectContaining({ code: 'STALE_HANDLE' }));
    f.svc.updateShare('/export', { enabled: true });
    expect((await f.svc.getAttr(ROOT, f.root)).type).toBe(FileType.Directory);
  });

  it('refuses a taken name or id and lists shares with live options', async () => {
    const f = await setup();
    await rejects(f.svc.registerShare('/export', { id: 9, store: f.store, options: OPTIONS, enabled: true }), 'EXISTS');
    await rejects(f.svc.registerShare('/x', { id: 7, store: f.store, options: OPTIONS, enabled: true }), 'EXISTS');
    await rejects(
      f.svc.registerShare('/x', { id: -1, store: f.store, options: OPTIONS, enabled: true }),
      'INVALID_ARGUMENT',
    );
    expect(() => f.svc.updateShare('/nope', { enabled: false })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    f.svc.updateShare('/export', { options: { ...OPTIONS, readOnly: true } });
    expect(f.svc.listShares()).toEqual([
      expect.objectContaining({ name: '/export', id: 7, enabled: true, options: { ...OPTIONS, readOnly: true } }),
    ]);
    await rejects(f.svc.rootHandle('/nope'), 'NOT_FOUND');
  });

  it('reports file system statistics', async () => {
    const f = await setup();
    await f.svc.mkdir(ROOT, f.root, 'd', {});
    const st = await f.svc.fsStat(ROOT, f.root);
    expect(st.totalBytes).toBeGreaterThan(0);
    expect(st.availBytes).toBeLessThanOrEqual(st.totalBytes);
    expect(st.totalFiles - st.freeFiles).toBe(2);
  });
});
