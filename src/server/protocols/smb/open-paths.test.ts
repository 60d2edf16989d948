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
});
