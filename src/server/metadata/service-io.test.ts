import { describe, expect, it, vi } from 'vitest';
import { ALICE, BOB, ON_FOLDER, ROOT, rejects, setup, tmpDir } from './testing.ts';
import { FileType } from './types.ts';

const guarded = { kind: 'guarded' } as const;

describe('MetadataService prepareRead, prepareWrite, commitWrite', () => {
  it('checks permission by the mode, with the owner overriding for I/O on their file', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o600 }, guarded);
    expect((await f.svc.prepareWrite(ALICE, handle)).fileid).toBeGreaterThan(0);
    await rejects(f.svc.prepareWrite(BOB, handle), 'ACCESS_DENIED');
    await rejects(f.svc.prepareRead(BOB, handle), 'ACCESS_DENIED');
    await f.svc.prepareWrite(ROOT, handle);
    // open(O_CREAT|O_RDWR, 0444) then write: allowed for the owner, as knfsd does.
    await f.svc.setAttr(ALICE, handle, { mode: 0o444 });
    await f.svc.prepareWrite(ALICE, handle);
    await f.svc.setAttr(ALICE, handle, { mode: 0o711 });
    await f.svc.prepareRead(BOB, handle); // execute-only binaries must be readable to run
    await rejects(f.svc.prepareWrite(BOB, handle), 'ACCESS_DENIED');
  });

  it('accepts I/O on regular files only', async () => {
    const f = await setup();
    await rejects(f.svc.prepareRead(ROOT, f.root), 'IS_DIRECTORY');
    await rejects(f.svc.prepareWrite(ROOT, f.root), 'IS_DIRECTORY');
    await rejects(f.svc.commitWrite(ROOT, f.root, 1), 'IS_DIRECTORY');
    const link = await f.svc.symlink(ROOT, f.root, 'l', 'x', {});
    await rejects(f.svc.prepareRead(ROOT, link.handle), 'INVALID_ARGUMENT');
    const fifo = await f.svc.mknod(ROOT, f.root, 'p', FileType.Fifo, {}, { major: 0, minor: 0 });
    await rejects(f.svc.prepareWrite(ROOT, fifo.handle), 'INVALID_ARGUMENT');
  });

  it('grows the size, never shrinks it, and advances mtime/ctime', async () => {
    const f = await setup();
    const { handle, attr } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const w1 = await f.svc.commitWrite(ROOT, handle, 4096);
    expect(w1.before?.size).toBe(0);
    expect(w1.after).toMatchObject({ size: 4096, ...(ON_FOLDER ? {} : { used: 4096 }) });
    expect(w1.after?.mtime).not.toEqual(attr.mtime);
    expect(w1.after?.ctime).toEqual(w1.after?.mtime);
    const w2 = await f.svc.commitWrite(ROOT, handle, 100);
    expect(w2.after?.size).toBe(4096);
    expect(w2.after?.mtime).not.toEqual(w1.after?.mtime);
    expect(await f.svc.getAttr(ROOT, handle)).toEqual(w2.after);
    await rejects(f.svc.commitWrite(ROOT, handle, -1), 'INVALID_ARGUMENT');
  });

  it('clears setuid/setgid on a write by a non-root caller only', async () => {
    const f = await setup();
    const tmp = await tmpDir(f);
    const { handle } = await f.svc.create(ALICE, tmp, 'f', { mode: 0o6775 }, guarded);
    await f.svc.setAttr(ROOT, handle, { mode: 0o6775 });
    expect((await f.svc.commitWrite(ROOT, handle, 1)).after?.mode).toBe(0o6775);
    expect((await f.svc.commitWrite(ALICE, handle, 2)).after?.mode).toBe(0o775);
  });

  it('merges concurrent writes to one file into few store updates', async () => {
    const f = await setup();
    const { handle } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    const tx = vi.spyOn(f.store, 'transaction');
    const ends = Array.from({ length: 64 }, (_, i) => ((i * 37) % 64) * 4096 + 4096);
    const results = await Promise.all(ends.map((end) => f.svc.commitWrite(ROOT, handle, end)));
    expect(tx.mock.calls.length).toBeLessThan(ends.length / 4);
    expect((await f.svc.getAttr(ROOT, handle)).size).toBe(64 * 4096);
    for (const r of results) expect(r.after?.size).toBeGreaterThan(0);
    expect(results.at(-1)?.after?.size).toBe(64 * 4096);
  });

  it('reports a write to a removed file as stale', async () => {
    const f = await setup();
    const { handle } = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await f.svc.remove(ROOT, f.root, 'f');
    await rejects(f.svc.prepareWrite(ROOT, handle), 'STALE_HANDLE');
    await rejects(f.svc.commitWrite(ROOT, handle, 10), 'STALE_HANDLE');
  });
});
