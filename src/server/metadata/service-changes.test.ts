import { describe, expect, it } from 'vitest';
import type { DirChange } from './change-feed.ts';
import { ALICE, setup, tmpDir } from './testing.ts';

const guarded = { kind: 'guarded' } as const;

describe('MetadataService change feed', () => {
  it('reports entries added, removed and renamed in a directory to its subscribers until they leave', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const other = await f.svc.mkdir(ALICE, tmp, 'other', { mode: 0o777 });
    const seen: DirChange[] = [];
    const elsewhere: DirChange[] = [];
    const stop = f.svc.changes.subscribe(f.svc.changeKey(tmp), (c) => seen.push(c));
    f.svc.changes.subscribe(f.svc.changeKey(other.handle), (c) => elsewhere.push(c));
    await f.svc.create(ALICE, tmp, 'a', { mode: 0o644 }, guarded);
    await f.svc.mkdir(ALICE, tmp, 'd', { mode: 0o755 });
    await f.svc.rename(ALICE, tmp, 'a', tmp, 'b');
    await f.svc.rename(ALICE, tmp, 'b', other.handle, 'c');
    await f.svc.rmdir(ALICE, tmp, 'd');
    await f.svc.remove(ALICE, other.handle, 'c');
    expect(seen).toEqual([
      { action: 'added', name: 'a', directory: false },
      { action: 'added', name: 'd', directory: true },
      { action: 'renamed-from', name: 'a', to: { dir: tmp, key: f.svc.changeKey(tmp), name: 'b' } },
      { action: 'renamed-to', name: 'b' },
      { action: 'removed', name: 'b', to: { dir: other.handle, key: f.svc.changeKey(other.handle), name: 'c' } },
      { action: 'removed', name: 'd', directory: true },
    ]);
    expect(elsewhere).toEqual([
      { action: 'added', name: 'c' },
      { action: 'removed', name: 'c', directory: false },
    ]);
    stop();
    await f.svc.create(ALICE, tmp, 'e', { mode: 0o644 }, guarded);
    expect(seen).toHaveLength(6);
  });

  it('reports nothing for a change that failed', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    await f.svc.create(ALICE, tmp, 'a', { mode: 0o644 }, guarded);
    const seen: DirChange[] = [];
    f.svc.changes.subscribe(f.svc.changeKey(tmp), (c) => seen.push(c));
    await expect(f.svc.create(ALICE, tmp, 'a', { mode: 0o644 }, guarded)).rejects.toThrow();
    expect(seen).toEqual([]);
  });

  it("reports every directory's changes, with its key, to a listener of all of them", async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const other = await f.svc.mkdir(ALICE, tmp, 'other', { mode: 0o777 });
    const seen: [string, string, string][] = [];
    const stop = f.svc.changes.subscribeAll((key, c) => seen.push([key, c.action, c.name]));
    await f.svc.create(ALICE, tmp, 'a', { mode: 0o644 }, guarded);
    await f.svc.rename(ALICE, tmp, 'a', other.handle, 'b');
    stop();
    await f.svc.remove(ALICE, other.handle, 'b');
    const [t, r] = [f.svc.changeKey(tmp), f.svc.changeKey(other.handle)];
    expect(seen).toEqual([
      [t, 'added', 'a'],
      [t, 'removed', 'a'],
      [r, 'added', 'b'],
    ]);
  });

  it('names where a directory is: the keys and names from the root down', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const a = await f.svc.mkdir(ALICE, tmp, 'a', { mode: 0o755 });
    const b = await f.svc.mkdir(ALICE, a.handle, 'b', { mode: 0o755 });
    const keys = [f.root, tmp, a.handle, b.handle].map((h) => f.svc.changeKey(h));
    expect(await f.svc.dirPath(b.handle)).toEqual({ keys, names: ['tmp', 'a', 'b'] });
    expect(await f.svc.dirPath(f.root)).toEqual({ keys: [keys[0]], names: [] });
    await f.svc.rename(ALICE, a.handle, 'b', tmp, 'moved');
    expect(await f.svc.dirPath(b.handle)).toEqual({ keys: [keys[0], keys[1], keys[3]], names: ['tmp', 'moved'] });
  });
});
