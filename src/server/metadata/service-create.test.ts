import { describe, expect, it } from 'vitest';
import { ALICE, BOB, ON_FOLDER, OPTIONS, ROOT, rejects, setup, tmpDir, user } from './testing.ts';
import { FileType } from './types.ts';

const guarded = { kind: 'guarded' } as const;

describe('MetadataService create, mkdir, symlink, mknod, link, lookup', () => {
  it('creates a regular file owned by the caller with a fresh payload id and updates the directory', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const before = await f.svc.getAttr(ROOT, tmp);
    const a = await f.svc.create(ALICE, tmp, 'a', { mode: 0o640 }, guarded);
    const b = await f.svc.create(ALICE, tmp, 'b', {}, guarded);
    expect(a.attr).toMatchObject({ type: FileType.Regular, mode: 0o640, uid: 1000, gid: 1000, nlink: 1, size: 0 });
    expect(b.attr.mode).toBe(0o644);
    expect(a.attr.payloadId).not.toBe('');
    expect(a.attr.payloadId).not.toBe(b.attr.payloadId);
    expect(a.attr.fileid).not.toBe(b.attr.fileid);
    expect(b.dirWcc.before?.mtime).toEqual(a.dirWcc.after?.mtime);
    const after = await f.svc.getAttr(ROOT, tmp);
    expect(after.mtime).not.toEqual(before.mtime);
    expect(after.ctime).toEqual(after.mtime);
    expect(after.nlink).toBe(before.nlink);
    expect(b.dirWcc.after).toEqual(after);
    expect((await f.svc.lookup(ALICE, tmp, 'a')).handle.equals(a.handle)).toBe(true);
  });

  it('makes one file of racing caseless creates that differ only in case (SMB)', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const caseless = { kind: 'guarded', caseless: true } as const;
    const results = await Promise.allSettled([
      f.svc.create(ALICE, tmp, 'Report.txt', {}, caseless),
      f.svc.create(ALICE, tmp, 'report.TXT', {}, caseless),
      f.svc.mkdir(ALICE, tmp, 'REPORT.txt', {}, { caseless: true }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect(r.reason).toMatchObject({ code: 'EXISTS' });
    expect((await f.svc.readDir(ALICE, tmp, 0, undefined, 10)).entries).toHaveLength(1);
    // Without caseless (NFS), names that differ in case are different files.
    await f.svc.create(ALICE, tmp, 'rEPORT.txt', {}, guarded);
    expect((await f.svc.readDir(ALICE, tmp, 0, undefined, 10)).entries).toHaveLength(2);
  });

  it('GUARDED fails on an existing name; UNCHECKED opens (and truncates) an existing file', async () => {
    const f = await setup();
    const first = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await rejects(f.svc.create(ROOT, f.root, 'f', {}, guarded), 'EXISTS');
    await f.svc.commitWrite(ROOT, first.handle, 1000);
    const opened = await f.svc.create(ROOT, f.root, 'f', { mode: 0o600 }, { kind: 'unchecked' });
    expect(opened.attr.fileid).toBe(first.attr.fileid);
    expect(opened.attr.size).toBe(1000);
    expect(opened.attr.mode).toBe(0o644);
    const truncated = await f.svc.create(ROOT, f.root, 'f', { size: 0 }, { kind: 'unchecked' });
    expect(truncated.attr.fileid).toBe(first.attr.fileid);
    expect((await f.svc.getAttr(ROOT, first.handle)).size).toBe(0);
    await f.svc.mkdir(ROOT, f.root, 'd', {});
    await rejects(f.svc.create(ROOT, f.root, 'd', {}, { kind: 'unchecked' }), 'EXISTS');
  });

  it('EXCLUSIVE succeeds again for a retransmission with the same verifier only', async () => {
    const f = await setup();
    const verifier = Buffer.from('0011223344556677', 'hex');
    const first = await f.svc.create(ROOT, f.root, 'x', {}, { kind: 'exclusive', verifier });
    const count = await f.store.fileCount();
    verifier.fill(0xff); // the request buffer gets reused; the stored verifier must not change
    const retry = await f.svc.create(
      ROOT,
      f.root,
      'x',
      {},
      { kind: 'exclusive', verifier: Buffer.from('0011223344556677', 'hex') },
    );
    expect(retry.handle.equals(first.handle)).toBe(true);
    expect(await f.store.fileCount()).toBe(count);
    await rejects(f.svc.create(ROOT, f.root, 'x', {}, { kind: 'exclusive', verifier: Buffer.alloc(8, 1) }), 'EXISTS');
    await f.svc.create(ROOT, f.root, 'y', {}, guarded);
    await rejects(f.svc.create(ROOT, f.root, 'y', {}, { kind: 'exclusive', verifier: Buffer.alloc(8) }), 'EXISTS');
  });

  it('validates names', async () => {
    const f = await setup();
    await rejects(f.svc.create(ROOT, f.root, '', {}, guarded), 'INVALID_ARGUMENT');
    await rejects(f.svc.create(ROOT, f.root, 'a/b', {}, guarded), 'INVALID_ARGUMENT');
    await rejects(f.svc.create(ROOT, f.root, 'a\0b', {}, guarded), 'INVALID_ARGUMENT');
    await rejects(f.svc.mkdir(ROOT, f.root, '.', {}), 'EXISTS');
    await rejects(f.svc.create(ROOT, f.root, '..', {}, guarded), 'EXISTS');
    await rejects(f.svc.create(ROOT, f.root, 'n'.repeat(256), {}, guarded), 'NAME_TOO_LONG');
    await rejects(f.svc.create(ROOT, f.root, 'é'.repeat(128), {}, guarded), 'NAME_TOO_LONG');
    await f.svc.create(ROOT, f.root, 'n'.repeat(255), {}, guarded);
    await f.svc.create(ROOT, f.root, 'é'.repeat(127), {}, guarded);
    await rejects(f.svc.lookup(ROOT, f.root, 'n'.repeat(256)), 'NAME_TOO_LONG');
  });

  it('checks search and write permission on the directory', async () => {
    const f = await setup();
    await rejects(f.svc.create(ALICE, f.root, 'f', {}, guarded), 'ACCESS_DENIED');
    await rejects(f.svc.mkdir(ALICE, f.root, 'd', {}), 'ACCESS_DENIED');
    const { handle: priv } = await f.svc.mkdir(ROOT, f.root, 'private', { mode: 0o700, uid: 1000, gid: 1000 });
    await f.svc.create(ALICE, priv, 'mine', {}, guarded);
    await rejects(f.svc.lookup(BOB, priv, 'mine'), 'ACCESS_DENIED');
    await rejects(f.svc.create(BOB, priv, 'x', {}, guarded), 'ACCESS_DENIED');
    // Supplementary group 50 grants the group bits.
    const { handle: shared } = await f.svc.mkdir(ROOT, f.root, 'shared', { mode: 0o770, gid: 50 });
    await f.svc.create(ALICE, shared, 'ok', {}, guarded);
    await rejects(f.svc.create(BOB, shared, 'no', {}, guarded), 'ACCESS_DENIED');
  });

  it('applies owner and group asked for at creation under chown rules', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const byRoot = await f.svc.create(ROOT, tmp, 'r', { uid: 1000, gid: 50, mode: 0o4755 }, guarded);
    expect(byRoot.attr).toMatchObject({ uid: 1000, gid: 50, mode: 0o4755 });
    await rejects(f.svc.create(ALICE, tmp, 'a', { uid: 0 }, guarded), 'PERMISSION_DENIED');
    await rejects(f.svc.lookup(ALICE, tmp, 'a'), 'NOT_FOUND');
    expect((await f.svc.create(ALICE, tmp, 'g', { gid: 50 }, guarded)).attr.gid).toBe(50);
  });

  it('makes directories with nlink 2 and counts them in the parent', async () => {
    const f = await setup();
    const d = await f.svc.mkdir(ROOT, f.root, 'd', { mode: 0o750 });
    expect(d.attr).toMatchObject({ type: FileType.Directory, nlink: 2, mode: 0o750 });
    expect(d.dirWcc.after?.nlink).toBe(3);
    await f.svc.mkdir(ROOT, d.handle, 'sub', {});
    await f.svc.create(ROOT, d.handle, 'file', {}, guarded);
    expect((await f.svc.getAttr(ROOT, d.handle)).nlink).toBe(3);
    expect((await f.svc.getAttr(ROOT, f.root)).nlink).toBe(3);
    await rejects(f.svc.mkdir(ROOT, f.root, 'd', {}), 'EXISTS');
  });

  it('inherits the group and setgid bit of a setgid directory', async () => {
    const f = await setup();
    const { handle: sg } = await f.svc.mkdir(ROOT, f.root, 'sg', { mode: 0o2777, gid: 50 });
    const file = await f.svc.create(BOB, sg, 'f', { mode: 0o2755 }, guarded);
    expect(file.attr.gid).toBe(50);
    expect(file.attr.mode).toBe(0o755); // BOB is not in group 50: no setgid file
    const dir = await f.svc.mkdir(BOB, sg, 'd', { mode: 0o755 });
    expect(dir.attr).toMatchObject({ gid: 50, mode: 0o2755 });
  });

  it('creates symlinks and reads them back', async () => {
    const f = await setup();
    const s = await f.svc.symlink(ROOT, f.root, 'l', '../target/ü', { mode: 0o600 });
    expect(s.attr).toMatchObject({ type: FileType.Symlink, mode: 0o777, size: 12, payloadId: '' });
    expect(await f.svc.readLink(BOB, s.handle)).toEqual({ target: '../target/ü', attr: s.attr });
    await rejects(f.svc.readLink(ROOT, f.root), 'INVALID_ARGUMENT');
    await rejects(f.svc.symlink(ROOT, f.root, 'empty', '', {}), 'INVALID_ARGUMENT');
    await rejects(f.svc.symlink(ROOT, f.root, 'long', 'x'.repeat(4097), {}), 'NAME_TOO_LONG');
    await rejects(f.svc.symlink(ROOT, f.root, 'l', 'x', {}), 'EXISTS');
  });

  it('makes FIFOs and sockets for anyone and devices for root only', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const fifo = await f.svc.mknod(ALICE, tmp, 'p', FileType.Fifo, { mode: 0o600 }, { major: 1, minor: 2 });
    expect(fifo.attr).toMatchObject({ type: FileType.Fifo, mode: 0o600, rdev: { major: 0, minor: 0 } });
    const socket = f.svc.mknod(ALICE, tmp, 's', FileType.Socket, {}, { major: 0, minor: 0 });
    if (ON_FOLDER) await rejects(socket, 'NOT_SUPPORTED');
    else expect((await socket).attr.type).toBe(FileType.Socket);
    await rejects(f.svc.mknod(ALICE, tmp, 'c', FileType.CharDevice, {}, { major: 1, minor: 3 }), 'PERMISSION_DENIED');
    const dev = f.svc.mknod(ROOT, tmp, 'c', FileType.CharDevice, {}, { major: 1, minor: 3 });
    if (ON_FOLDER) await rejects(dev, 'NOT_SUPPORTED');
    else expect((await dev).attr).toMatchObject({ type: FileType.CharDevice, rdev: { major: 1, minor: 3 } });
    await rejects(f.svc.mknod(ROOT, tmp, 'r', FileType.Regular, {}, { major: 0, minor: 0 }), 'BAD_TYPE');
    await rejects(f.svc.mknod(ROOT, tmp, 'd', FileType.Directory, {}, { major: 0, minor: 0 }), 'BAD_TYPE');
  });

  it('hard-links files with correct link counts, never directories or across shares', async () => {
    const f = await setup();
    const file = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const { handle: d } = await f.svc.mkdir(ROOT, f.root, 'd', {});
    const linked = await f.svc.link(ROOT, file.handle, d, 'g');
    expect(linked.attr.nlink).toBe(2);
    expect(linked.attr.ctime).not.toEqual(file.attr.ctime);
    expect(linked.dirWcc.after?.nlink).toBe(2);
    expect((await f.svc.lookup(ROOT, d, 'g')).attr.fileid).toBe(file.attr.fileid);
    expect((await f.svc.getAttr(ROOT, file.handle)).nlink).toBe(2);
    await rejects(f.svc.link(ROOT, file.handle, d, 'g'), 'EXISTS');
    await rejects(f.svc.link(ROOT, d, f.root, 'dirlink'), 'PERMISSION_DENIED');
    await rejects(f.svc.link(ALICE, file.handle, f.root, 'x'), 'ACCESS_DENIED');
    await f.svc.registerShare('/other', {
      id: 8,
      store: f.store,
      options: { ...OPTIONS, anonUid: 1, anonGid: 1 },
      enabled: true,
    });
    await rejects(f.svc.link(ROOT, file.handle, await f.svc.rootHandle('/other'), 'x'), 'CROSS_DEVICE');
  });

  it('looks up ".", ".." and names, and fails in non-directories', async () => {
    const f = await setup();
    const d = await f.svc.mkdir(ROOT, f.root, 'd', {});
    const file = await f.svc.create(ROOT, d.handle, 'f', {}, guarded);
    expect((await f.svc.lookup(ALICE, d.handle, '.')).attr.fileid).toBe(d.attr.fileid);
    const up = await f.svc.lookup(ALICE, d.handle, '..');
    expect(up.handle.equals(f.root)).toBe(true);
    expect(up.attr.fileid).toBe((await f.svc.getAttr(ROOT, f.root)).fileid);
    expect((await f.svc.lookup(ALICE, f.root, '..')).handle.equals(f.root)).toBe(true);
    const found = await f.svc.lookup(ALICE, d.handle, 'f');
    expect(found.handle.equals(file.handle)).toBe(true);
    expect(found.dirAttr.fileid).toBe(d.attr.fileid);
    await rejects(f.svc.lookup(ALICE, d.handle, 'missing'), 'NOT_FOUND');
    await rejects(f.svc.lookup(ALICE, file.handle, 'x'), 'NOT_DIRECTORY');
    await rejects(f.svc.lookup(user(5), d.handle, 'F'), 'NOT_FOUND');
  });
});
