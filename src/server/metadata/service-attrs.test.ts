import { describe, expect, it } from 'vitest';
import { ALICE, BOB, ON_FOLDER, OPTIONS, ROOT, rejects, setup, tmpDir, user } from './testing.ts';
import { ACCESS, DosAttr, FileType } from './types.ts';

const guarded = { kind: 'guarded' } as const;
const ALL = 0x3f;

describe('MetadataService setAttr', () => {
  it('lets the owner and root chmod, nobody else', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', {}, guarded);
    const wcc = await f.svc.setAttr(ALICE, handle, { mode: 0o100600 });
    expect(wcc.after?.mode).toBe(0o600);
    expect(wcc.before?.ctime).not.toEqual(wcc.after?.ctime);
    await rejects(f.svc.setAttr(BOB, handle, { mode: 0o777 }), 'PERMISSION_DENIED');
    expect((await f.svc.setAttr(ROOT, handle, { mode: 0o4755 })).after?.mode).toBe(0o4755);
  });

  it('keeps DOS attributes, a file READONLY as its write bits, ARCHIVE on create and truncation', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle, attr } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o664 }, guarded);
    expect(attr.dosAttributes).toBe(DosAttr.ARCHIVE);
    const ro = (await f.svc.setAttr(ALICE, handle, { dosAttributes: DosAttr.READONLY | DosAttr.HIDDEN })).after!;
    expect(ro).toMatchObject({ mode: 0o444, dosAttributes: DosAttr.HIDDEN });
    // Cleared READONLY gives the owner write permission back; what NFS set stays otherwise.
    expect((await f.svc.setAttr(ALICE, handle, { dosAttributes: 0 })).after).toMatchObject({
      mode: 0o644,
      dosAttributes: 0,
    });
    expect((await f.svc.setAttr(ALICE, handle, { size: 3 })).after?.dosAttributes).toBe(DosAttr.ARCHIVE);
    await rejects(f.svc.setAttr(BOB, handle, { dosAttributes: DosAttr.SYSTEM }), 'ACCESS_DENIED');
    const dir = await f.svc.mkdir(ALICE, tmp, 'd', { dosAttributes: DosAttr.READONLY | DosAttr.SYSTEM });
    expect(dir.attr).toMatchObject({ mode: 0o755, dosAttributes: DosAttr.READONLY | DosAttr.SYSTEM });
  });

  it('keeps the sparse flag apart from the DOS attributes SMB sets', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', { dosAttributes: DosAttr.SPARSE_FILE }, guarded);
    expect((await f.svc.getAttr(ALICE, handle)).dosAttributes).toBe(0); // not at creation
    expect((await f.svc.setAttr(ALICE, handle, { sparse: true })).after?.dosAttributes).toBe(DosAttr.SPARSE_FILE);
    // FileBasicInformation neither clears nor sets it.
    const hidden = (await f.svc.setAttr(ALICE, handle, { dosAttributes: DosAttr.HIDDEN })).after;
    expect(hidden?.dosAttributes).toBe(DosAttr.HIDDEN | DosAttr.SPARSE_FILE);
    await rejects(f.svc.setAttr(BOB, handle, { sparse: false }), 'ACCESS_DENIED');
    expect((await f.svc.setAttr(ALICE, handle, { sparse: false })).after?.dosAttributes).toBe(DosAttr.HIDDEN);
    await rejects(f.svc.setAttr(ALICE, tmp, { sparse: true }), 'INVALID_ARGUMENT');
  });

  it('lets only root chown, and the owner chgrp to one of their groups', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', {}, guarded);
    await rejects(f.svc.setAttr(ALICE, handle, { uid: 1001 }), 'PERMISSION_DENIED');
    await f.svc.setAttr(ALICE, handle, { uid: 1000 }); // unchanged owner is no chown
    expect((await f.svc.setAttr(ALICE, handle, { gid: 50 })).after?.gid).toBe(50);
    await rejects(f.svc.setAttr(ALICE, handle, { gid: 1001 }), 'PERMISSION_DENIED');
    await rejects(f.svc.setAttr(BOB, handle, { gid: 1001 }), 'PERMISSION_DENIED');
    expect((await f.svc.setAttr(ROOT, handle, { uid: 1001, gid: 1001 })).after).toMatchObject({ uid: 1001, gid: 1001 });
    await rejects(f.svc.setAttr(ROOT, handle, { uid: -1 }), 'INVALID_ARGUMENT');
  });

  it('refuses chown and chgrp by anyone but the owner and root, even to the values the file has (EPERM)', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle, attr } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o644 }, guarded);
    await rejects(f.svc.setAttr(BOB, handle, { uid: attr.uid }), 'PERMISSION_DENIED');
    await rejects(f.svc.setAttr(BOB, handle, { gid: attr.gid }), 'PERMISSION_DENIED');
    await rejects(f.svc.setAttr(BOB, handle, { uid: attr.uid, gid: attr.gid }), 'PERMISSION_DENIED');
    // Nothing of a refused SETATTR applies, not even ctime.
    expect(await f.svc.getAttr(ROOT, handle)).toEqual(attr);
    // The owner may "give" the file to themselves and keep its group even outside it (Linux chown_ok / chgrp_ok).
    expect((await f.svc.setAttr(ALICE, handle, { uid: 1000, gid: 1000 })).after).toMatchObject({
      uid: 1000,
      gid: 1000,
    });
    await f.svc.setAttr(ROOT, handle, { gid: 4321 });
    expect((await f.svc.setAttr(ALICE, handle, { gid: 4321 })).after?.gid).toBe(4321);
    await rejects(f.svc.setAttr(ALICE, handle, { gid: 4322 }), 'PERMISSION_DENIED');
  });

  it('clears setuid (and setgid with group execute) on every chown of a file, also one that keeps the owner', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o6755 }, guarded);
    expect((await f.svc.setAttr(ALICE, handle, { uid: 1000 })).after?.mode).toBe(0o755);
    await f.svc.setAttr(ALICE, handle, { mode: 0o4755 });
    expect((await f.svc.setAttr(ROOT, handle, { gid: 1000 })).after?.mode).toBe(0o755);
  });

  it('clears setuid/setgid on chown of a file, and setgid on chmod outside the group', async () => {
    const f = await setup();
    const { handle } = await f.svc.create(ROOT, f.root, 'f', { mode: 0o6755 }, guarded);
    expect((await f.svc.setAttr(ROOT, handle, { uid: 1000 })).after?.mode).toBe(0o755);
    const { handle: lock } = await f.svc.create(ROOT, f.root, 'lock', { mode: 0o2644 }, guarded);
    // setgid without group execute marks mandatory locking and survives chown.
    expect((await f.svc.setAttr(ROOT, lock, { gid: 5 })).after?.mode).toBe(0o2644);
    const { handle: d } = await f.svc.mkdir(ROOT, f.root, 'd', { mode: 0o2755 });
    expect((await f.svc.setAttr(ROOT, d, { uid: 1000 })).after?.mode).toBe(0o2755);
    expect((await f.svc.setAttr(ALICE, handle, { mode: 0o2755 })).after?.mode).toBe(0o755);
    expect((await f.svc.setAttr(ALICE, handle, { gid: 50, mode: 0o2755 })).after?.mode).toBe(0o2755);
  });

  it('truncates regular files only, with write permission or as owner', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o4644 }, guarded);
    await f.svc.commitWrite(ROOT, handle, 500);
    const before = await f.svc.getAttr(ROOT, handle);
    const wcc = await f.svc.setAttr(ALICE, handle, { size: 100 });
    expect(wcc.after).toMatchObject({ size: 100, mode: 0o644, ...(ON_FOLDER ? {} : { used: 100 }) });
    expect(wcc.after?.mtime).not.toEqual(before.mtime);
    expect(wcc.before?.size).toBe(500);
    await rejects(f.svc.setAttr(BOB, handle, { size: 0 }), 'ACCESS_DENIED');
    await f.svc.setAttr(ALICE, handle, { mode: 0o444 });
    expect((await f.svc.setAttr(ALICE, handle, { size: 0 })).after?.size).toBe(0);
    await rejects(f.svc.setAttr(ROOT, tmp, { size: 0 }), 'IS_DIRECTORY');
    const link = await f.svc.symlink(ROOT, tmp, 'l', 'f', {});
    await rejects(f.svc.setAttr(ROOT, link.handle, { size: 0 }), 'INVALID_ARGUMENT');
    await rejects(f.svc.setAttr(ROOT, handle, { size: -1 }), 'INVALID_ARGUMENT');
    // Nothing of a refused SETATTR applies.
    await rejects(f.svc.setAttr(BOB, handle, { size: 0, mode: 0o777 }), 'ACCESS_DENIED');
    expect((await f.svc.getAttr(ROOT, handle)).mode).toBe(0o444);
  });

  it('sets times: server time with write permission, explicit times as owner', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o666 }, guarded);
    const t = { sec: 1_000_000, nsec: 5 };
    expect((await f.svc.setAttr(ALICE, handle, { atime: t, mtime: t })).after).toMatchObject({ atime: t, mtime: t });
    const now = await f.svc.setAttr(BOB, handle, { mtime: 'server', atime: 'server' });
    expect(now.after?.mtime.sec).toBeGreaterThan(1_600_000_000);
    expect(now.after?.atime).toEqual(now.after?.mtime);
    await rejects(f.svc.setAttr(BOB, handle, { mtime: t }), 'PERMISSION_DENIED');
    await f.svc.setAttr(ALICE, handle, { mode: 0o644 });
    await rejects(f.svc.setAttr(BOB, handle, { mtime: 'server' }), 'ACCESS_DENIED');
  });

  // A folder share's birth time is the file system's (it also tells a reused inode apart).
  it.skipIf(ON_FOLDER)('sets the birth and change times as the owner (SMB), also before 1970', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o666 }, guarded);
    const t = { sec: -63_158_400, nsec: 0 };
    expect((await f.svc.setAttr(ALICE, handle, { btime: t })).after?.btime).toEqual(t);
    expect((await f.svc.getAttr(ALICE, handle)).btime).toEqual(t);
    expect((await f.svc.setAttr(ALICE, handle, { ctime: t })).after?.ctime).toEqual(t);
    await rejects(f.svc.setAttr(BOB, handle, { btime: { sec: 1, nsec: 0 } }), 'PERMISSION_DENIED');
  });

  it('honours the ctime guard (sattrguard3) and always advances ctime', async () => {
    const f = await setup();
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const first = await f.svc.setAttr(ROOT, handle, {}, attr.ctime);
    expect(first.after?.ctime).not.toEqual(attr.ctime);
    await rejects(f.svc.setAttr(ROOT, handle, { mode: 0o600 }, attr.ctime), 'NOT_SYNC');
    expect((await f.svc.getAttr(ROOT, handle)).mode).toBe(0o644);
    await f.svc.setAttr(ROOT, handle, { mode: 0o600 }, first.after!.ctime);
  });
});

describe('MetadataService access and squash', () => {
  it('computes ACCESS bits from the owner, group and other classes', async () => {
    const f = await setup();
    const { handle: file } = await f.svc.create(ROOT, f.root, 'f', { mode: 0o754, gid: 50 }, guarded);
    await f.svc.setAttr(ROOT, file, { uid: 1001 });
    const rwx = ACCESS.READ | ACCESS.MODIFY | ACCESS.EXTEND | ACCESS.EXECUTE;
    expect((await f.svc.access(BOB, file, ALL)).granted).toBe(rwx);
    expect((await f.svc.access(ALICE, file, ALL)).granted).toBe(ACCESS.READ | ACCESS.EXECUTE);
    expect((await f.svc.access(user(7), file, ALL)).granted).toBe(ACCESS.READ);
    expect((await f.svc.access(user(7), file, ACCESS.MODIFY)).granted).toBe(0);
    const { handle: plain } = await f.svc.create(ROOT, f.root, 'p', { mode: 0o644 }, guarded);
    // Root may do anything except execute a file without any x bit.
    expect((await f.svc.access(ROOT, plain, ALL)).granted).toBe(ACCESS.READ | ACCESS.MODIFY | ACCESS.EXTEND);
    expect((await f.svc.access(ROOT, file, ALL)).granted).toBe(rwx);
    const dirBits = ACCESS.READ | ACCESS.LOOKUP | ACCESS.MODIFY | ACCESS.EXTEND | ACCESS.DELETE;
    expect((await f.svc.access(ROOT, f.root, ALL)).granted).toBe(dirBits);
    expect((await f.svc.access(ALICE, f.root, ALL)).granted).toBe(ACCESS.READ | ACCESS.LOOKUP);
  });

  it('grants no modification on a read-only share', async () => {
    const f = await setup({ readOnly: true });
    expect((await f.svc.access(ROOT, f.root, ALL)).granted).toBe(ACCESS.READ | ACCESS.LOOKUP);
  });

  it('root_to_guest maps root (and group 0) to the anonymous ids', async () => {
    const f = await setup({ squash: 'root_to_guest', anonUid: 65534, anonGid: 65533 });
    await rejects(f.svc.create(ROOT, f.root, 'f', {}, guarded), 'ACCESS_DENIED');
    f.svc.updateShare('/export', { options: { ...OPTIONS, squash: 'none' } });
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'alice', { mode: 0o640, gid: 1000 }, guarded);
    f.svc.updateShare('/export', { options: { ...OPTIONS, squash: 'root_to_guest', anonUid: 65534, anonGid: 65533 } });
    const made = await f.svc.create(ROOT, tmp, 'byroot', {}, guarded);
    expect(made.attr).toMatchObject({ uid: 65534, gid: 65533 });
    await rejects(f.svc.prepareRead(ROOT, handle), 'ACCESS_DENIED');
    expect((await f.svc.access(ROOT, handle, ALL)).granted).toBe(0);
    expect((await f.svc.create(user(5, 0), tmp, 'g0', {}, guarded)).attr).toMatchObject({ uid: 5, gid: 65533 });
    expect((await f.svc.create(ALICE, tmp, 'a2', {}, guarded)).attr).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it('all_to_guest maps everyone; none keeps root', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    expect((await f.svc.create(ROOT, tmp, 'r', {}, guarded)).attr.uid).toBe(0);
    f.svc.updateShare('/export', { options: { ...OPTIONS, squash: 'all_to_guest', anonUid: 99, anonGid: 98 } });
    expect((await f.svc.create(ALICE, tmp, 'a', {}, guarded)).attr).toMatchObject({ uid: 99, gid: 98 });
    expect((await f.svc.create(ROOT, tmp, 'b', {}, guarded)).attr).toMatchObject({ uid: 99, gid: 98 });
    await rejects(
      f.svc.setAttr(ALICE, (await f.svc.lookup(ROOT, tmp, 'r')).handle, { mode: 0o777 }),
      'PERMISSION_DENIED',
    );
    expect((await f.svc.getAttr(ROOT, f.root)).type).toBe(FileType.Directory);
  });
});
