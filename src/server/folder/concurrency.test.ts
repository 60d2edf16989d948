// Folder transactions in flight together: exclusive creates stay exclusive, retransmitted
// and UNCHECKED creates get the one file, a directory moves with what was just made in it,
// and every create or remove is answered only after a directory fsync that covers it
// (fsyncs shared between them: path-syncs.ts).
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isDittoError } from '../../shared/errors.ts';
import { MetadataService } from '../metadata/service.ts';
import { ALICE, OPTIONS, ROOT, rejects } from '../metadata/testing.ts';
import type { FileHandle } from '../metadata/types.ts';
import { FolderStore } from './folder-store.ts';
import { PathSyncs } from './path-syncs.ts';

const guarded = { kind: 'guarded' } as const;
const N = 40;
const names = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Outcome codes of settled promises: 'ok' or the DittoError code. */
async function outcomes(ps: Array<Promise<unknown>>): Promise<string[]> {
  const settled = await Promise.allSettled(ps);
  return settled.map((s) => {
    if (s.status === 'fulfilled') return 'ok';
    return isDittoError(s.reason) ? s.reason.code : String(s.reason);
  });
}

describe('folder store, overlapping transactions', () => {
  let base: string;
  let folder: string;
  let store: FolderStore;
  let svc: MetadataService;
  let root: FileHandle;

  async function open(): Promise<void> {
    store = await FolderStore.open({ path: folder, indexPath: join(base, 'data', 'index.db'), realOwnership: false });
    svc = new MetadataService();
    await svc.registerShare('/f', { id: 1, store, options: OPTIONS, enabled: true });
    root = await svc.rootHandle('/f');
  }

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'dittofs-folder-conc-'));
    folder = join(base, 'share');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    await open();
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await store?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('lets exactly one of concurrent GUARDED creates of one name win', async () => {
    const tries = Array.from({ length: 16 }, () => svc.create(ALICE, root, 'same', { mode: 0o644 }, guarded));
    const codes = await outcomes(tries);
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes.filter((c) => c === 'EXISTS')).toHaveLength(15);
    expect(readdirSync(folder)).toEqual(['same']);
    expect(await store.fileCount()).toBe(2);
  });

  it('answers concurrent UNCHECKED creates of one name with the one file', async () => {
    const made = await Promise.all(
      Array.from({ length: 8 }, () => svc.create(ALICE, root, 'u', { mode: 0o644 }, { kind: 'unchecked' })),
    );
    expect(new Set(made.map((m) => m.attr.fileid)).size).toBe(1);
    expect(readdirSync(folder)).toEqual(['u']);
  });

  it('answers retransmitted EXCLUSIVE creates in flight together with the one file', async () => {
    const how = { kind: 'exclusive', verifier: Buffer.from('12345678') } as const;
    const made = await Promise.all(Array.from({ length: 8 }, () => svc.create(ALICE, root, 'x', {}, how)));
    expect(new Set(made.map((m) => m.attr.fileid)).size).toBe(1);
    const other = { kind: 'exclusive', verifier: Buffer.from('87654321') } as const;
    await rejects(svc.create(ALICE, root, 'x', {}, other), 'EXISTS');
  });

  it('answers each of many concurrent creates in one directory after a directory fsync that covers it', async () => {
    const durable = new Set<string>();
    const sync = PathSyncs.prototype.sync;
    vi.spyOn(PathSyncs.prototype, 'sync').mockImplementation(function (this: PathSyncs, path: string) {
      // What the directory holds when its fsync is asked for is durable once it resolves.
      const present = path === folder ? readdirSync(folder) : [];
      return sync.call(this, path).then(() => present.forEach((n) => durable.add(n)));
    });
    const all = names(N, 'c');
    await Promise.all(
      all.map(async (name) => {
        const made = await svc.create(ALICE, root, name, { mode: 0o644 }, guarded);
        expect(durable.has(name), name).toBe(true);
        return made;
      }),
    );
    expect(readdirSync(folder).sort()).toEqual([...all].sort());
    const listed = (await svc.readDir(ROOT, root, 0, undefined, 10_000)).entries.map((e) => e.name);
    expect(listed.sort()).toEqual([...all].sort());
  });

  it('moves a directory with the files created in it by requests in flight with the rename', async () => {
    const d = await svc.mkdir(ALICE, root, 'old', { mode: 0o777 });
    const files = names(8, 'f');
    const creates = files.map((n) => svc.create(ALICE, d.handle, n, {}, guarded));
    const moved = svc.rename(ALICE, root, 'old', root, 'new');
    expect(await outcomes([...creates, moved])).toEqual([...files.map(() => 'ok'), 'ok']);
    expect(readdirSync(join(folder, 'new')).sort()).toEqual(files.sort());
    const made = await creates[0]!;
    expect((await svc.getAttr(ROOT, made.handle)).fileid).toBe(made.attr.fileid);
  });

  it('removes many files of one directory concurrently, each answered once its directory is synced', async () => {
    const all = names(N, 'r');
    for (const name of all) await svc.create(ALICE, root, name, {}, guarded);
    const gone = new Set<string>();
    const sync = PathSyncs.prototype.sync;
    vi.spyOn(PathSyncs.prototype, 'sync').mockImplementation(function (this: PathSyncs, path: string) {
      const present = new Set(path === folder ? readdirSync(folder) : all);
      return sync.call(this, path).then(() => all.forEach((n) => present.has(n) || gone.add(n)));
    });
    await Promise.all(
      all.map(async (name) => {
        await svc.remove(ALICE, root, name);
        expect(gone.has(name), name).toBe(true);
      }),
    );
    expect(readdirSync(folder)).toEqual([]);
    expect(await store.fileCount()).toBe(1);
    await rejects(svc.remove(ALICE, root, 'r0'), 'NOT_FOUND');
  });
});
