import { describe, expect, it } from 'vitest';
import { ALICE, OPTIONS, ROOT, rejects, setup, tmpDir } from './testing.ts';

const guarded = { kind: 'guarded' } as const;

describe('MetadataService rename', () => {
  it('moves a file within a directory, keeping its handle', async () => {
    const f = await setup();
    const file = await f.svc.create(ROOT, f.root, 'old', {}, guarded);
    const { fromWcc, toWcc, replaced } = await f.svc.rename(ROOT, f.root, 'old', f.root, 'new');
    expect(replaced).toBeUndefined();
    expect(fromWcc.after?.mtime).not.toEqual(fromWcc.before?.mtime);
    expect(toWcc.after).toEqual(fromWcc.after);
    await rejects(f.svc.lookup(ROOT, f.root, 'old'), 'NOT_FOUND');
    const moved = await f.svc.lookup(ROOT, f.root, 'new');
    expect(moved.handle.equals(file.handle)).toBe(true);
    expect(moved.attr.ctime).not.toEqual(file.attr.ctime);
    await rejects(f.svc.rename(ROOT, f.root, 'old', f.root, 'x'), 'NOT_FOUND');
  });

  it('replaces an existing file atomically and reports the replaced links', async () => {
    const f = await setup();
    const src = await f.svc.create(ROOT, f.root, 'src', {}, guarded);
    const dst = await f.svc.create(ROOT, f.root, 'dst', {}, guarded);
    const count = await f.store.fileCount();
    const { replaced } = await f.svc.rename(ROOT, f.root, 'src', f.root, 'dst');
    expect(replaced).toMatchObject({ fileid: dst.attr.fileid, nlink: 0, payloadId: dst.attr.payloadId });
    expect(await f.store.fileCount()).toBe(count - 1);
    expect((await f.svc.lookup(ROOT, f.root, 'dst')).handle.equals(src.handle)).toBe(true);
    await rejects(f.svc.getAttr(ROOT, dst.handle), 'STALE_HANDLE');

    const linked = await f.svc.create(ROOT, f.root, 'linked', {}, guarded);
    await f.svc.link(ROOT, linked.handle, f.root, 'other-name');
    const again = await f.svc.rename(ROOT, f.root, 'dst', f.root, 'linked');
    expect(again.replaced?.nlink).toBe(1);
    expect((await f.svc.getAttr(ROOT, linked.handle)).nlink).toBe(1);
  });

  it('replaces an empty directory and refuses non-empty or mismatched targets', async () => {
    const f = await setup();
    const a = await f.svc.mkdir(ROOT, f.root, 'a', {});
    await f.svc.mkdir(ROOT, f.root, 'empty', {});
    const full = await f.svc.mkdir(ROOT, f.root, 'full', {});
    await f.svc.create(ROOT, full.handle, 'x', {}, guarded);
    await f.svc.create(ROOT, f.root, 'file', {}, guarded);
    expect((await f.svc.getAttr(ROOT, f.root)).nlink).toBe(5);

    await rejects(f.svc.rename(ROOT, f.root, 'a', f.root, 'full'), 'NOT_EMPTY');
    await rejects(f.svc.rename(ROOT, f.root, 'a', f.root, 'file'), 'NOT_DIRECTORY');
    await rejects(f.svc.rename(ROOT, f.root, 'file', f.root, 'a'), 'IS_DIRECTORY');
    // Failed renames change nothing.
    expect((await f.svc.lookup(ROOT, f.root, 'a')).handle.equals(a.handle)).toBe(true);
    expect((await f.svc.lookup(ROOT, full.handle, 'x')).attr.nlink).toBe(1);

    const { replaced } = await f.svc.rename(ROOT, f.root, 'a', f.root, 'empty');
    expect(replaced?.nlink).toBe(0);
    expect((await f.svc.getAttr(ROOT, f.root)).nlink).toBe(4);
    expect((await f.svc.lookup(ROOT, f.root, 'empty')).handle.equals(a.handle)).toBe(true);
  });

  it('moves a directory between parents, fixing link counts and ".."', async () => {
    const f = await setup();
    const p1 = await f.svc.mkdir(ROOT, f.root, 'p1', {});
    const p2 = await f.svc.mkdir(ROOT, f.root, 'p2', {});
    const child = await f.svc.mkdir(ROOT, p1.handle, 'child', {});
    expect((await f.svc.getAttr(ROOT, p1.handle)).nlink).toBe(3);
    const { fromWcc, toWcc } = await f.svc.rename(ROOT, p1.handle, 'child', p2.handle, 'moved');
    expect(fromWcc.after?.nlink).toBe(2);
    expect(toWcc.after?.nlink).toBe(3);
    expect((await f.svc.getAttr(ROOT, p1.handle)).nlink).toBe(2);
    expect((await f.svc.getAttr(ROOT, p2.handle)).nlink).toBe(3);
    expect((await f.svc.lookup(ROOT, child.handle, '..')).handle.equals(p2.handle)).toBe(true);
    expect((await f.svc.getAttr(ROOT, f.root)).nlink).toBe(4);
  });

  it('with caseless (SMB), refuses a name differing in case only from another file, allows a case-only rename', async () => {
    const f = await setup();
    const caseless = { caseless: true };
    const report = await f.svc.create(ROOT, f.root, 'Report.txt', {}, guarded);
    const draft = await f.svc.create(ROOT, f.root, 'draft', {}, guarded);
    await rejects(f.svc.rename(ROOT, f.root, 'draft', f.root, 'REPORT.TXT', caseless), 'EXISTS');
    expect((await f.svc.lookup(ROOT, f.root, 'draft')).handle.equals(draft.handle)).toBe(true);
    await f.svc.rename(ROOT, f.root, 'Report.txt', f.root, 'REPORT.TXT', caseless);
    const names = (await f.svc.readDir(ROOT, f.root, 0, undefined, 10)).entries.map((e) => e.name);
    expect(names.sort()).toEqual(['REPORT.TXT', 'draft']);
    expect((await f.svc.lookup(ROOT, f.root, 'REPORT.TXT')).handle.equals(report.handle)).toBe(true);
    // Racing renames onto names differing only in case: one wins.
    await f.svc.create(ROOT, f.root, 'b', {}, guarded);
    const results = await Promise.allSettled([
      f.svc.rename(ROOT, f.root, 'draft', f.root, 'Final', caseless),
      f.svc.rename(ROOT, f.root, 'b', f.root, 'FINAL', caseless),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // Without caseless (NFS), names that differ in case are different files.
    await f.svc.create(ROOT, f.root, 'c', {}, guarded);
    await f.svc.rename(ROOT, f.root, 'c', f.root, 'final');
    expect((await f.svc.readDir(ROOT, f.root, 0, undefined, 10)).entries).toHaveLength(4);
  });

  it('with replaceCaseVariant, replaces the file under another spelling and keeps the one asked for', async () => {
    const f = await setup();
    await f.svc.create(ROOT, f.root, 'REPORT.TXT', {}, guarded);
    const draft = await f.svc.create(ROOT, f.root, 'draft', {}, guarded);
    const { replaced } = await f.svc.rename(ROOT, f.root, 'draft', f.root, 'report.txt', {
      caseless: true,
      replaceCaseVariant: true,
    });
    expect(replaced?.nlink).toBe(0);
    const entries = (await f.svc.readDir(ROOT, f.root, 0, undefined, 10)).entries;
    expect(entries.map((e) => e.name)).toEqual(['report.txt']);
    expect((await f.svc.lookup(ROOT, f.root, 'report.txt')).handle.equals(draft.handle)).toBe(true);
  });

  it('refuses to move a directory into itself or its subtree', async () => {
    const f = await setup();
    const a = await f.svc.mkdir(ROOT, f.root, 'a', {});
    const b = await f.svc.mkdir(ROOT, a.handle, 'b', {});
    const c = await f.svc.mkdir(ROOT, b.handle, 'c', {});
    await rejects(f.svc.rename(ROOT, f.root, 'a', c.handle, 'a'), 'INVALID_ARGUMENT');
    await rejects(f.svc.rename(ROOT, f.root, 'a', a.handle, 'self'), 'INVALID_ARGUMENT');
    await rejects(f.svc.rename(ROOT, a.handle, 'b', b.handle, 'x'), 'INVALID_ARGUMENT');
    // Moving up is fine.
    await f.svc.rename(ROOT, b.handle, 'c', f.root, 'c');
    expect((await f.svc.lookup(ROOT, c.handle, '..')).handle.equals(f.root)).toBe(true);
  });

  it('does nothing for the same name or two links to one file', async () => {
    const f = await setup();
    const file = await f.svc.create(ROOT, f.root, 'a', {}, guarded);
    await f.svc.link(ROOT, file.handle, f.root, 'b');
    const before = await f.svc.getAttr(ROOT, f.root);
    const same = await f.svc.rename(ROOT, f.root, 'a', f.root, 'a');
    expect(same.fromWcc.after).toEqual(before);
    const links = await f.svc.rename(ROOT, f.root, 'a', f.root, 'b');
    expect(links.replaced).toBeUndefined();
    expect((await f.svc.lookup(ROOT, f.root, 'a')).attr.nlink).toBe(2);
    expect((await f.svc.lookup(ROOT, f.root, 'b')).attr.fileid).toBe(file.attr.fileid);
    await rejects(f.svc.rename(ROOT, f.root, '.', f.root, 'x'), 'INVALID_ARGUMENT');
    await rejects(f.svc.rename(ROOT, f.root, 'a', f.root, '..'), 'INVALID_ARGUMENT');
  });

  it('checks permissions on both directories and refuses crossing shares', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    await f.svc.create(ALICE, tmp, 'mine', {}, guarded);
    await rejects(f.svc.rename(ALICE, tmp, 'mine', f.root, 'mine'), 'ACCESS_DENIED');
    await f.svc.create(ROOT, f.root, 'rootfile', {}, guarded);
    await rejects(f.svc.rename(ALICE, f.root, 'rootfile', tmp, 'x'), 'ACCESS_DENIED');
    // Moving a directory to another parent needs write permission on it ('..' changes).
    const { handle: home } = await f.svc.mkdir(ROOT, f.root, 'home', { mode: 0o777 });
    await f.svc.mkdir(ROOT, home, 'ro', { mode: 0o555 });
    await rejects(f.svc.rename(ALICE, home, 'ro', tmp, 'ro'), 'ACCESS_DENIED');
    await f.svc.rename(ALICE, home, 'ro', home, 'ro2');

    await f.svc.registerShare('/other', { id: 8, store: f.store, options: OPTIONS, enabled: true });
    const other = await f.svc.rootHandle('/other');
    await rejects(f.svc.rename(ROOT, f.root, 'rootfile', other, 'x'), 'CROSS_DEVICE');
  });
});
