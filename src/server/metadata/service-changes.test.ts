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
      { action: 'renamed-from', name: 'a' },
      { action: 'renamed-to', name: 'b' },
      { action: 'removed', name: 'b' },
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
});
