import { describe, expect, it } from 'vitest';
import { ALICE, BOB, OPTIONS, ROOT, rejects, setup, tmpDir } from './testing.ts';

const guarded = { kind: 'guarded' } as const;

describe('MetadataService remove and rmdir', () => {
  it('removes the last link, deleting the record', async () => {
    const f = await setup();
    const file = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const count = await f.store.fileCount();
    const { removed, dirWcc } = await f.svc.remove(ROOT, f.root, 'f');
    expect(removed).toMatchObject({ fileid: file.attr.fileid, nlink: 0, payloadId: file.attr.payloadId });
    expect(dirWcc.after?.mtime).not.toEqual(dirWcc.before?.mtime);
    expect(await f.store.fileCount()).toBe(count - 1);
    await rejects(f.svc.getAttr(ROOT, file.handle), 'STALE_HANDLE');
    await rejects(f.svc.remove(ROOT, f.root, 'f'), 'NOT_FOUND');
  });

  it('removes one of several hard links, keeping the file', async () => {
    const f = await setup();
    const file = await f.svc.create(ROOT, f.root, 'a', {}, guarded);
    await f.svc.link(ROOT, file.handle, f.root, 'b');
    const { removed } = await f.svc.remove(ROOT, f.root, 'a');
    expect(removed.nlink).toBe(1);
    expect((await f.svc.getAttr(ROOT, file.handle)).nlink).toBe(1);
    expect((await f.svc.lookup(ROOT, f.root, 'b')).handle.equals(file.handle)).toBe(true);
  });

  it('keeps remove and rmdir to their types and rmdir to empty directories', async () => {
    const f = await setup();
    const d = await f.svc.mkdir(ROOT, f.root, 'd', {});
    await f.svc.create(ROOT, d.handle, 'inner', {}, guarded);
    await rejects(f.svc.remove(ROOT, f.root, 'd'), 'IS_DIRECTORY');
    await rejects(f.svc.rmdir(ROOT, f.root, 'd'), 'NOT_EMPTY');
    await rejects(f.svc.rmdir(ROOT, d.handle, 'inner'), 'NOT_DIRECTORY');
    await rejects(f.svc.rmdir(ROOT, f.root, '.'), 'INVALID_ARGUMENT');
    await rejects(f.svc.remove(ROOT, f.root, '..'), 'INVALID_ARGUMENT');
    expect((await f.svc.getAttr(ROOT, f.root)).nlink).toBe(3);
    await f.svc.remove(ROOT, d.handle, 'inner');
    const { dirWcc } = await f.svc.rmdir(ROOT, f.root, 'd');
    expect(dirWcc.after?.nlink).toBe(2);
    await rejects(f.svc.getAttr(ROOT, d.handle), 'STALE_HANDLE');
    await rejects(f.svc.rmdir(ROOT, f.root, 'd'), 'NOT_FOUND');
  });

  it('needs write permission on the directory, not on the file', async () => {
    const f = await setup();
    await f.svc.create(ROOT, f.root, 'rootfile', { mode: 0o666 }, guarded);
    await rejects(f.svc.remove(ALICE, f.root, 'rootfile'), 'ACCESS_DENIED');
    const { handle: home } = await f.svc.mkdir(ROOT, f.root, 'home', { mode: 0o755, uid: 1000, gid: 1000 });
    await f.svc.create(ROOT, home, 'ro', { mode: 0o400 }, guarded);
    await f.svc.remove(ALICE, home, 'ro');
  });

  it('lets only the owner of the entry or directory, or root, remove from a sticky directory', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    await f.svc.create(ALICE, tmp, 'alice', { mode: 0o666 }, guarded);
    await rejects(f.svc.remove(BOB, tmp, 'alice'), 'PERMISSION_DENIED');
    await rejects(f.svc.rename(BOB, tmp, 'alice', tmp, 'stolen'), 'PERMISSION_DENIED');
    await f.svc.remove(ALICE, tmp, 'alice');
    await f.svc.create(ALICE, tmp, 'a2', {}, guarded);
    await f.svc.remove(ROOT, tmp, 'a2');
    const { handle: bobSticky } = await f.svc.mkdir(ROOT, f.root, 'bs', { mode: 0o1777, uid: 1001, gid: 1001 });
    await f.svc.create(ALICE, bobSticky, 'a3', {}, guarded);
    await f.svc.remove(BOB, bobSticky, 'a3');
  });

  it('refuses every mutation on a read-only share but still serves reads', async () => {
    const f = await setup();
    const file = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const { handle: d } = await f.svc.mkdir(ROOT, f.root, 'd', {});
    f.svc.updateShare('/export', { options: { ...OPTIONS, readOnly: true } });
    const attempts: Array<Promise<unknown>> = [
      f.svc.create(ROOT, f.root, 'n', {}, guarded),
      f.svc.mkdir(ROOT, f.root, 'n', {}),
      f.svc.symlink(ROOT, f.root, 'n', 't', {}),
      f.svc.mknod(ROOT, f.root, 'n', 7, {}, { major: 0, minor: 0 }),
      f.svc.link(ROOT, file.handle, f.root, 'n'),
      f.svc.remove(ROOT, f.root, 'f'),
      f.svc.rmdir(ROOT, f.root, 'd'),
      f.svc.rename(ROOT, f.root, 'f', f.root, 'g'),
      f.svc.setAttr(ROOT, file.handle, { mode: 0o600 }),
      f.svc.prepareWrite(ROOT, file.handle),
      f.svc.commitWrite(ROOT, file.handle, 10),
    ];
    for (const p of attempts) await rejects(p, 'READ_ONLY');
    expect((await f.svc.lookup(ROOT, f.root, 'f')).attr.size).toBe(0);
    expect((await f.svc.readDir(ROOT, d, 0, undefined, 10)).entries).toEqual([]);
    await f.svc.prepareRead(ROOT, file.handle);
  });
});
