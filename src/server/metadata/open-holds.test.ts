import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderStore } from '../folder/folder-store.ts';
import { MetadataService } from './service.ts';
import { SqliteMetadataStore } from './stores/sqlite/sqlite-store.ts';
import { MemoryMetadataStore } from './stores/memory/memory-store.ts';
import { type Fixture, ROOT, rejects, setup } from './testing.ts';

const guarded = { kind: 'guarded' } as const;

/** Stores that can keep a held file with no name (MetadataStore.orphans). */
const stores = {
  memory: async () => new MemoryMetadataStore(),
  sqlite: async (dir: string) => SqliteMetadataStore.open(join(dir, 'meta.db')),
  // The file lives on in the store's descriptor of it once unlinked.
  folder: async (dir: string) => {
    await mkdir(join(dir, 'folder'));
    return FolderStore.open({ path: join(dir, 'folder'), indexPath: join(dir, 'index.db'), realOwnership: false });
  },
};

describe.each(Object.entries(stores))('files held open on the %s store', (kind, open) => {
  let dir: string;
  let f: Fixture;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dittofs-holds-'));
    f = await setup({}, await open(dir));
  });

  afterEach(async () => {
    await f.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a removed file while held, without its name, and frees it at the last release', async () => {
    const file = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await f.svc.commitWrite(ROOT, file.handle, 100);
    f.svc.hold(file.handle);
    f.svc.hold(file.handle);
    const { removed, freed } = await f.svc.remove(ROOT, f.root, 'f');
    expect(removed.nlink).toBe(0);
    expect(freed).toBeUndefined();
    await rejects(f.svc.lookup(ROOT, f.root, 'f'), 'NOT_FOUND');
    expect((await f.svc.readDir(ROOT, f.root, 0, undefined, 10)).entries).toHaveLength(0);
    // The open goes on: attributes, writes.
    expect(await f.svc.getAttr(ROOT, file.handle)).toMatchObject({ nlink: 0, size: 100 });
    await f.svc.commitWrite(ROOT, file.handle, 200);
    expect((await f.svc.getAttr(ROOT, file.handle)).size).toBe(200);
    // No new name for it (Linux: linkat of an unlinked file is ENOENT).
    await rejects(f.svc.link(ROOT, file.handle, f.root, 'again'), 'NOT_FOUND');
    expect(await f.svc.release(file.handle)).toBeUndefined();
    expect((await f.svc.getAttr(ROOT, file.handle)).size).toBe(200);
    const last = await f.svc.release(file.handle);
    expect(last).toMatchObject({ fileid: file.attr.fileid, payloadId: file.attr.payloadId });
    await rejects(f.svc.getAttr(ROOT, file.handle), 'STALE_HANDLE');
    expect(await f.store.orphans?.()).toEqual([]);
  });

  it('frees a removed file that nothing holds at once, and a released file that kept its name not at all', async () => {
    const kept = await f.svc.create(ROOT, f.root, 'kept', {}, guarded);
    f.svc.hold(kept.handle);
    expect(await f.svc.release(kept.handle)).toBeUndefined();
    expect((await f.svc.lookup(ROOT, f.root, 'kept')).attr.nlink).toBe(1);
    const gone = await f.svc.create(ROOT, f.root, 'gone', {}, guarded);
    const { freed } = await f.svc.remove(ROOT, f.root, 'gone');
    expect(freed?.fileid).toBe(gone.attr.fileid);
    await rejects(f.svc.getAttr(ROOT, gone.handle), 'STALE_HANDLE');
  });

  it('keeps a held file a rename replaces', async () => {
    const target = await f.svc.create(ROOT, f.root, 'target', {}, guarded);
    await f.svc.commitWrite(ROOT, target.handle, 10);
    const other = await f.svc.create(ROOT, f.root, 'other', {}, guarded);
    f.svc.hold(target.handle);
    const { replaced, freed } = await f.svc.rename(ROOT, f.root, 'other', f.root, 'target');
    expect(replaced?.nlink).toBe(0);
    expect(freed).toBeUndefined();
    expect((await f.svc.lookup(ROOT, f.root, 'target')).attr.fileid).toBe(other.attr.fileid);
    expect((await f.svc.getAttr(ROOT, target.handle)).size).toBe(10);
    expect((await f.svc.release(target.handle))?.fileid).toBe(target.attr.fileid);
    await rejects(f.svc.getAttr(ROOT, target.handle), 'STALE_HANDLE');
  });

  // A folder store has nothing to drop: the kernel frees an unlinked file with dfs's descriptor.
  it.skipIf(kind === 'folder')('drops at start the files a stop left held with no name', async () => {
    const file = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const still = await f.svc.create(ROOT, f.root, 'still', {}, guarded);
    f.svc.hold(file.handle);
    await f.svc.remove(ROOT, f.root, 'f');
    expect((await f.store.orphans?.())?.map((r) => r.attr.fileid)).toEqual([file.attr.fileid]);
    // The process ends without releasing: a new service on the same store.
    const svc = new MetadataService();
    await svc.registerShare('/export', {
      id: 7,
      store: f.store,
      options: f.svc.listShares()[0]!.options,
      enabled: true,
    });
    const freed = await svc.purgeOrphans('/export');
    expect(freed.map((a) => a.payloadId)).toEqual([file.attr.payloadId]);
    expect(await f.store.orphans?.()).toEqual([]);
    await rejects(svc.getAttr(ROOT, file.handle), 'STALE_HANDLE');
    expect((await svc.getAttr(ROOT, still.handle)).nlink).toBe(1);
  });
});
