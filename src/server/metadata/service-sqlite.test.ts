import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataService } from './service.ts';
import { SqliteMetadataStore } from './stores/sqlite/sqlite-store.ts';
import { type Fixture, ROOT, rejects, setup } from './testing.ts';

const guarded = { kind: 'guarded' } as const;

describe('MetadataService on SQLite', () => {
  let dir: string;
  let f: Fixture;
  const open = () => SqliteMetadataStore.open(join(dir, 'meta.db'));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dittofs-svc-'));
    f = await setup({}, await open());
  });

  afterEach(async () => {
    await f.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes one file of racing caseless creates that differ only in case', async () => {
    const caseless = { kind: 'guarded', caseless: true } as const;
    const results = await Promise.allSettled(
      ['a.txt', 'A.txt', 'a.TXT', 'A.TXT'].map((name) => f.svc.create(ROOT, f.root, name, {}, caseless)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await f.svc.readDir(ROOT, f.root, 0, undefined, 10)).entries).toHaveLength(1);
  });

  it('keeps the tree, handles and exclusive-create verifiers across a restart', async () => {
    const d = await f.svc.mkdir(ROOT, f.root, 'd', {});
    const file = await f.svc.create(ROOT, d.handle, 'f', {}, { kind: 'exclusive', verifier: Buffer.alloc(8, 7) });
    await f.svc.commitWrite(ROOT, file.handle, 12345);
    await f.svc.rename(ROOT, d.handle, 'f', f.root, 'moved');
    await f.svc.symlink(ROOT, f.root, 'l', 'moved', {});
    const attr = await f.svc.getAttr(ROOT, file.handle);
    const listing = await f.svc.readDir(ROOT, f.root, 0, undefined, 10);
    await f.store.close();

    f = await setup({}, await open(), new MetadataService());
    expect((await f.svc.rootHandle('/export')).equals(f.root)).toBe(true);
    expect(await f.svc.getAttr(ROOT, file.handle)).toEqual(attr);
    expect(await f.svc.readDir(ROOT, f.root, 0, undefined, 10)).toEqual(listing);
    expect((await f.svc.readLink(ROOT, listing.entries[2]!.handle)).target).toBe('moved');
    expect((await f.svc.lookup(ROOT, d.handle, '..')).handle.equals(f.root)).toBe(true);
    const retry = await f.svc.create(ROOT, f.root, 'moved', {}, { kind: 'exclusive', verifier: Buffer.alloc(8, 7) });
    expect(retry.handle.equals(file.handle)).toBe(true);
  });

  it('commits concurrent creates together without losing or mixing any', async () => {
    const { handle: dirH } = await f.svc.mkdir(ROOT, f.root, 'many', {});
    const names = Array.from({ length: 300 }, (_, i) => `n${i}`);
    // Duplicates fail alone inside shared commits.
    const results = await Promise.allSettled(
      [...names, 'n1', 'n2'].map((n) => f.svc.create(ROOT, dirH, n, {}, guarded)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(2);
    const page = await f.svc.readDir(ROOT, dirH, 0, undefined, 1000);
    expect(page.entries.map((e) => e.name).sort()).toEqual([...names].sort());
    expect(new Set(page.entries.map((e) => e.fileid)).size).toBe(300);
    await rejects(f.svc.rmdir(ROOT, f.root, 'many'), 'NOT_EMPTY');
  });

  it('applies concurrent writes and removes consistently', async () => {
    const { handle } = await f.svc.create(ROOT, f.root, 'w', {}, guarded);
    await Promise.all(Array.from({ length: 100 }, (_, i) => f.svc.commitWrite(ROOT, handle, (i + 1) * 100)));
    expect((await f.svc.getAttr(ROOT, handle)).size).toBe(10_000);
    await f.svc.link(ROOT, handle, f.root, 'w2');
    const [a, b] = await Promise.all([f.svc.remove(ROOT, f.root, 'w'), f.svc.remove(ROOT, f.root, 'w2')]);
    expect([a.removed.nlink, b.removed.nlink].sort()).toEqual([0, 1]);
    await rejects(f.svc.getAttr(ROOT, handle), 'STALE_HANDLE');
  });
});
