import { describe, expect, it } from 'vitest';
import { ALICE, setup, tmpDir } from '../../metadata/testing.ts';
import type { FileHandle } from '../../metadata/types.ts';
import { OpenPaths } from './open-paths.ts';
import type { Open } from './state.ts';

const guarded = { kind: 'guarded' } as const;

/** An open of `path` whose directories (root first) are `dirs`, registered in `paths`. */
function openAt(paths: OpenPaths, md: { changeKey(h: FileHandle): string }, path: string, dirs: FileHandle[]): Open {
  const names = path.split('\\');
  const open = { path, name: names[names.length - 1], parent: dirs[dirs.length - 1] } as Open;
  paths.add(
    open,
    dirs.map((d) => md.changeKey(d)),
  );
  return open;
}

describe('OpenPaths', () => {
  it('follows renames of the file and of directories above it, in place and between directories', async () => {
    const f = await setup();
    const paths = new OpenPaths(f.svc);
    const tmp = await tmpDir(f);
    const a = await f.svc.mkdir(ALICE, tmp, 'a', { mode: 0o777 });
    const b = await f.svc.mkdir(ALICE, tmp, 'b', { mode: 0o777 });
    await f.svc.create(ALICE, a.handle, 'f', { mode: 0o644 }, guarded);
    const open = openAt(paths, f.svc, 'tmp\\a\\f', [f.root, tmp, a.handle]);
    expect(paths.openBelow(f.svc.changeKey(a.handle))).toBe(true);
    expect(paths.openBelow(f.svc.changeKey(b.handle))).toBe(false);

    await f.svc.rename(ALICE, tmp, 'a', tmp, 'A2');
    await paths.settled();
    expect([open.path, open.name]).toEqual(['tmp\\A2\\f', 'f']);
    // Into a directory no open passes through: its place is looked up.
    await f.svc.rename(ALICE, tmp, 'A2', b.handle, 'inner');
    await paths.settled();
    expect(open.path).toBe('tmp\\b\\inner\\f');
    expect(paths.openBelow(f.svc.changeKey(b.handle))).toBe(true);
    await f.svc.rename(ALICE, a.handle, 'f', tmp, 'g');
    await paths.settled();
    expect([open.path, open.name, open.parent]).toEqual(['tmp\\g', 'g', tmp]);
    expect(paths.openBelow(f.svc.changeKey(a.handle))).toBe(false);
    paths.close();
  });

  it('forgets the path of a file removed or replaced, and of a closed open', async () => {
    const f = await setup();
    const paths = new OpenPaths(f.svc);
    const tmp = await tmpDir(f);
    const d = await f.svc.mkdir(ALICE, tmp, 'd', { mode: 0o777 });
    await f.svc.create(ALICE, d.handle, 'x', { mode: 0o644 }, guarded);
    await f.svc.create(ALICE, d.handle, 'y', { mode: 0o644 }, guarded);
    const dKey = f.svc.changeKey(d.handle);
    const x = openAt(paths, f.svc, 'tmp\\d\\x', [f.root, tmp, d.handle]);
    paths.remove(x);
    expect(paths.openBelow(dKey)).toBe(false);
    openAt(paths, f.svc, 'tmp\\d\\y', [f.root, tmp, d.handle]);
    await f.svc.remove(ALICE, d.handle, 'y');
    await paths.settled();
    expect(paths.openBelow(dKey)).toBe(false);
    openAt(paths, f.svc, 'tmp\\d\\x', [f.root, tmp, d.handle]);
    expect(paths.openBelow(dKey)).toBe(true);
    await f.svc.create(ALICE, d.handle, 'z', { mode: 0o644 }, guarded);
    await f.svc.rename(ALICE, d.handle, 'z', d.handle, 'x');
    await paths.settled();
    expect(paths.openBelow(dKey)).toBe(false);
    paths.close();
  });

  it('touches only the opens at or below the entry a change names', async () => {
    const f = await setup();
    const paths = new OpenPaths(f.svc);
    const tmp = await tmpDir(f);
    const a = await f.svc.mkdir(ALICE, tmp, 'a', { mode: 0o777 });
    const sub = await f.svc.mkdir(ALICE, a.handle, 'sub', { mode: 0o777 });
    const b = await f.svc.mkdir(ALICE, tmp, 'b', { mode: 0o777 });
    for (const [dir, name] of [
      [sub, 'f'],
      [a, 'g'],
      [b, 'h'],
      [b, 'a'],
    ] as const)
      await f.svc.create(ALICE, dir.handle, name, { mode: 0o644 }, guarded);
    const inSub = openAt(paths, f.svc, 'tmp\\a\\sub\\f', [f.root, tmp, a.handle, sub.handle]);
    const inA = openAt(paths, f.svc, 'tmp\\a\\g', [f.root, tmp, a.handle]);
    const closed = openAt(paths, f.svc, 'tmp\\a\\sub\\f', [f.root, tmp, a.handle, sub.handle]);
    paths.remove(closed);
    // Unrelated: in another directory, one of them with the moved directory's name.
    const h = openAt(paths, f.svc, 'tmp\\b\\h', [f.root, tmp, b.handle]);
    const sameName = openAt(paths, f.svc, 'tmp\\b\\a', [f.root, tmp, b.handle]);

    // Into a directory another open passes through, then within it.
    await f.svc.rename(ALICE, tmp, 'a', b.handle, 'a2');
    await f.svc.rename(ALICE, b.handle, 'a2', b.handle, 'a3');
    await paths.settled();
    expect([inSub.path, inSub.name, inA.path, inA.name]).toEqual(['tmp\\b\\a3\\sub\\f', 'f', 'tmp\\b\\a3\\g', 'g']);
    expect([h.path, sameName.path, sameName.name, closed.path]).toEqual([
      'tmp\\b\\h',
      'tmp\\b\\a',
      'a',
      'tmp\\a\\sub\\f',
    ]);
    // Changes reach the moved opens under their new names only.
    await f.svc.rename(ALICE, b.handle, 'a', b.handle, 'a4');
    await f.svc.rename(ALICE, sub.handle, 'f', sub.handle, 'f2');
    await paths.settled();
    expect([inSub.path, inA.path, sameName.path]).toEqual(['tmp\\b\\a3\\sub\\f2', 'tmp\\b\\a3\\g', 'tmp\\b\\a4']);
    await f.svc.remove(ALICE, b.handle, 'h');
    await paths.settled();
    expect(paths.openBelow(f.svc.changeKey(b.handle))).toBe(true);
    paths.remove(inSub);
    paths.remove(inA);
    paths.remove(sameName);
    expect(paths.openBelow(f.svc.changeKey(b.handle))).toBe(false);
    expect(paths.openBelow(f.svc.changeKey(a.handle))).toBe(false);
    expect(paths.openBelow(f.svc.changeKey(tmp))).toBe(false);
    paths.close();
  });

  it('forgets the path of a file replaced under another spelling of its name', async () => {
    const f = await setup();
    const paths = new OpenPaths(f.svc);
    const tmp = await tmpDir(f);
    const d = await f.svc.mkdir(ALICE, tmp, 'd', { mode: 0o777 });
    await f.svc.create(ALICE, d.handle, 'A.TXT', { mode: 0o644 }, guarded);
    await f.svc.create(ALICE, d.handle, 'b', { mode: 0o644 }, guarded);
    openAt(paths, f.svc, 'tmp\\d\\A.TXT', [f.root, tmp, d.handle]);
    await f.svc.rename(ALICE, d.handle, 'b', d.handle, 'a.txt', { caseless: true, replaceCaseVariant: true });
    await paths.settled();
    expect(paths.openBelow(f.svc.changeKey(d.handle))).toBe(false);
    paths.close();
  });
});
