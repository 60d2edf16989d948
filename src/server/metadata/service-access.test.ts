// The share's access for the caller (ShareExportOptions.access), enforced by every operation.
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, ROOT, rejects, setup, user } from './testing.ts';
import { ACCESS, FileType, type ShareAccess, type Squash } from './types.ts';

const ALL_BITS = ACCESS.READ | ACCESS.LOOKUP | ACCESS.MODIFY | ACCESS.EXTEND | ACCESS.DELETE | ACCESS.EXECUTE;

/** A share whose grants are a table by uid (as the runtime keeps them); others get `others`. */
async function granted(table: Record<number, ShareAccess>, others: ShareAccess = 'none', squash: Squash = 'none') {
  const grants = new Map(Object.entries(table).map(([uid, a]) => [Number(uid), a]));
  const seen: number[] = [];
  let preparing = true;
  const f = await setup({
    access: (c) => {
      if (preparing) return 'write';
      seen.push(c.uid);
      return grants.get(c.uid) ?? others;
    },
  });
  // Content made before the grants apply, world-writable so only the share's access decides.
  const dir = (await f.svc.mkdir(ROOT, f.root, 'dir', { mode: 0o777 })).handle;
  const file = (await f.svc.create(ROOT, dir, 'file', { mode: 0o666 }, { kind: 'guarded' })).handle;
  await f.svc.symlink(ROOT, dir, 'link', 'file', {});
  await f.svc.mkdir(ROOT, dir, 'sub', { mode: 0o777 });
  preparing = false;
  const options = () => f.svc.listShares()[0]!.options;
  f.svc.updateShare('/export', { options: { ...options(), squash } });
  return { ...f, dir, file, seen, options };
}

describe('MetadataService: the share access of the caller', () => {
  it("'none' refuses every operation with ACCESS_DENIED, reads and getattr included", async () => {
    const f = await granted({ [ROOT.uid]: 'write' });
    const { svc, dir, file } = f;
    await rejects(svc.getAttr(ALICE, file), 'ACCESS_DENIED');
    await rejects(svc.getAttr(ALICE, f.root), 'ACCESS_DENIED');
    await rejects(svc.lookup(ALICE, dir, 'file'), 'ACCESS_DENIED');
    await rejects(svc.access(ALICE, file, ALL_BITS), 'ACCESS_DENIED');
    await rejects(svc.readLink(ALICE, (await svc.lookup(ROOT, dir, 'link')).handle), 'ACCESS_DENIED');
    await rejects(svc.readDir(ALICE, dir, 0, undefined, 100), 'ACCESS_DENIED');
    await rejects(svc.prepareRead(ALICE, file), 'ACCESS_DENIED');
    await rejects(svc.fsStat(ALICE, file), 'ACCESS_DENIED');
    await rejects(svc.persistWrites(ALICE, file), 'ACCESS_DENIED');
    // Not READ_ONLY: the caller may not even learn whether the share is writable.
    await rejects(svc.create(ALICE, dir, 'new', {}, { kind: 'guarded' }), 'ACCESS_DENIED');
    await rejects(svc.prepareWrite(ALICE, file), 'ACCESS_DENIED');
    await rejects(svc.remove(ALICE, dir, 'file'), 'ACCESS_DENIED');
    expect((await svc.getAttr(ROOT, file)).type).toBe(FileType.Regular);
  });

  it("'read' allows every read and refuses every modification with READ_ONLY", async () => {
    const f = await granted({ [ROOT.uid]: 'write', [ALICE.uid]: 'read' });
    const { svc, dir, file } = f;
    expect((await svc.getAttr(ALICE, file)).type).toBe(FileType.Regular);
    expect((await svc.lookup(ALICE, dir, 'file')).handle.equals(file)).toBe(true);
    expect((await svc.readDir(ALICE, dir, 0, undefined, 100)).entries.map((e) => e.name).sort()).toEqual([
      'file',
      'link',
      'sub',
    ]);
    expect((await svc.prepareRead(ALICE, file)).type).toBe(FileType.Regular);
    expect((await svc.fsStat(ALICE, file)).totalFiles).toBeGreaterThan(0);
    const link = (await svc.lookup(ALICE, dir, 'link')).handle;
    expect((await svc.readLink(ALICE, link)).target).toBe('file');

    await rejects(svc.create(ALICE, dir, 'new', {}, { kind: 'guarded' }), 'READ_ONLY');
    await rejects(svc.mkdir(ALICE, dir, 'new', {}), 'READ_ONLY');
    await rejects(svc.symlink(ALICE, dir, 'new', 'file', {}), 'READ_ONLY');
    await rejects(svc.mknod(ALICE, dir, 'new', FileType.Fifo, {}, { major: 0, minor: 0 }), 'READ_ONLY');
    await rejects(svc.remove(ALICE, dir, 'file'), 'READ_ONLY');
    await rejects(svc.rmdir(ALICE, dir, 'sub'), 'READ_ONLY');
    await rejects(svc.rename(ALICE, dir, 'file', dir, 'moved'), 'READ_ONLY');
    await rejects(svc.link(ALICE, file, dir, 'hard'), 'READ_ONLY');
    await rejects(svc.setAttr(ALICE, file, { mode: 0o600 }), 'READ_ONLY');
    await rejects(svc.prepareWrite(ALICE, file), 'READ_ONLY');
    await rejects(svc.commitWrite(ALICE, file, 10), 'READ_ONLY');
    expect((await svc.getAttr(ROOT, file)).size).toBe(0);
  });

  it('ACCESS reports no write bits to a read-only caller, and every bit the mode allows to a writer', async () => {
    const f = await granted({ [ALICE.uid]: 'read', [BOB.uid]: 'write' });
    const asReader = await f.svc.access(ALICE, f.dir, ALL_BITS);
    expect(asReader.granted).toBe(ACCESS.READ | ACCESS.LOOKUP);
    const asWriter = await f.svc.access(BOB, f.dir, ALL_BITS);
    expect(asWriter.granted).toBe(ACCESS.READ | ACCESS.LOOKUP | ACCESS.MODIFY | ACCESS.EXTEND | ACCESS.DELETE);
  });

  it("'write' still obeys the POSIX mode and the share's read-only flag", async () => {
    const f = await granted({ [ROOT.uid]: 'write', [ALICE.uid]: 'write' });
    const priv = (await f.svc.mkdir(ROOT, f.root, 'private', { mode: 0o700 })).handle;
    await rejects(f.svc.create(ALICE, priv, 'x', {}, { kind: 'guarded' }), 'ACCESS_DENIED');
    expect((await f.svc.create(ALICE, f.dir, 'mine', {}, { kind: 'guarded' })).attr.uid).toBe(ALICE.uid);
    f.svc.updateShare('/export', { options: { ...f.options(), readOnly: true } });
    await rejects(f.svc.create(ALICE, f.dir, 'other', {}, { kind: 'guarded' }), 'READ_ONLY');
  });

  it('decides on the squashed identity: a squashed root is the anonymous user', async () => {
    const f = await granted({ 0: 'write', 65534: 'read' }, 'none', 'root_to_guest');
    expect((await f.svc.getAttr(ROOT, f.file)).type).toBe(FileType.Regular);
    await rejects(f.svc.create(ROOT, f.dir, 'x', {}, { kind: 'guarded' }), 'READ_ONLY');
    await rejects(f.svc.getAttr(user(1234), f.file), 'ACCESS_DENIED');
    expect(f.seen).toEqual([65534, 65534, 1234]);
  });

  it('applies a new resolver at once (updateShare), handles already held included', async () => {
    const f = await granted({ [ALICE.uid]: 'write' });
    expect((await f.svc.getAttr(ALICE, f.file)).type).toBe(FileType.Regular);
    f.svc.updateShare('/export', { options: { ...f.options(), access: () => 'none' } });
    await rejects(f.svc.getAttr(ALICE, f.file), 'ACCESS_DENIED');
  });
});
