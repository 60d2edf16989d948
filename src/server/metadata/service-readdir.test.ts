import { describe, expect, it } from 'vitest';
import { ALICE, ROOT, rejects, setup } from './testing.ts';
import type { DirPage, FileHandle } from './types.ts';
import type { MetadataService } from './service.ts';

const guarded = { kind: 'guarded' } as const;

async function listAll(
  svc: MetadataService,
  dir: FileHandle,
  pageSize: number,
): Promise<{ names: string[]; pages: DirPage[] }> {
  const names: string[] = [];
  const pages: DirPage[] = [];
  let cookie = 0;
  let verifier: Buffer | undefined;
  for (;;) {
    const page = await svc.readDir(ROOT, dir, cookie, verifier, pageSize);
    pages.push(page);
    names.push(...page.entries.map((e) => e.name));
    if (page.eof) return { names, pages };
    expect(page.entries).toHaveLength(pageSize);
    cookie = page.entries.at(-1)!.cookie;
    verifier = page.verifier;
  }
}

describe('MetadataService readDir', () => {
  it('pages a 2,000-entry directory listing every entry exactly once', async () => {
    const f = await setup();
    const { handle: dir } = await f.svc.mkdir(ROOT, f.root, 'big', {});
    const names = Array.from({ length: 2000 }, (_, i) => `entry-${i.toString(36)}`);
    await Promise.all(names.map((n) => f.svc.create(ROOT, dir, n, {}, guarded)));
    const { names: listed, pages } = await listAll(f.svc, dir, 7);
    expect(listed).toHaveLength(2000);
    expect(new Set(listed).size).toBe(2000);
    expect([...listed].sort()).toEqual([...names].sort());
    expect(listed).not.toContain('.');
    expect(pages.filter((p) => p.eof)).toHaveLength(1);
    expect(pages.every((p) => p.verifier.equals(pages[0]!.verifier))).toBe(true);
    const cookies = pages.flatMap((p) => p.entries.map((e) => e.cookie));
    expect(cookies.every((c, i) => c > 0 && (i === 0 || c > cookies[i - 1]!))).toBe(true);
  });

  it('returns usable handles and attributes for each entry', async () => {
    const f = await setup();
    const file = await f.svc.create(ROOT, f.root, 'f', { mode: 0o600 }, guarded);
    const sub = await f.svc.mkdir(ROOT, f.root, 'sub', {});
    const page = await f.svc.readDir(ROOT, f.root, 0, undefined, 100);
    expect(page.eof).toBe(true);
    expect(page.dirAttr.fileid).toBe((await f.svc.getAttr(ROOT, f.root)).fileid);
    expect(page.entries.map((e) => [e.name, e.fileid])).toEqual([
      ['f', file.attr.fileid],
      ['sub', sub.attr.fileid],
    ]);
    expect(page.entries[0]!.handle.equals(file.handle)).toBe(true);
    expect(page.entries[0]!.attr.mode).toBe(0o600);
    expect((await f.svc.getAttr(ROOT, page.entries[1]!.handle)).nlink).toBe(2);
  });

  it('resumes from a cookie after entries were removed and added', async () => {
    const f = await setup();
    const { handle: dir } = await f.svc.mkdir(ROOT, f.root, 'd', {});
    for (let i = 0; i < 30; i++) await f.svc.create(ROOT, dir, `f${i}`, {}, guarded);
    const first = await f.svc.readDir(ROOT, dir, 0, undefined, 10);
    // Remove the entry the cookie names, others already listed and others not yet listed.
    for (const n of ['f9', 'f3', 'f10', 'f20', 'f29']) await f.svc.remove(ROOT, dir, n);
    await f.svc.create(ROOT, dir, 'late', {}, guarded);
    const rest: string[] = [];
    let cookie = first.entries.at(-1)!.cookie;
    for (;;) {
      const page = await f.svc.readDir(ROOT, dir, cookie, first.verifier, 4);
      rest.push(...page.entries.map((e) => e.name));
      if (page.eof) break;
      cookie = page.entries.at(-1)!.cookie;
    }
    const expected = Array.from({ length: 30 }, (_, i) => `f${i}`)
      .slice(10)
      .filter((n) => !['f10', 'f20', 'f29'].includes(n));
    expect(rest).toEqual([...expected, 'late']);
  });

  it('rejects a cookie verifier of another directory but accepts zeros', async () => {
    const f = await setup();
    const a = await f.svc.mkdir(ROOT, f.root, 'a', {});
    const b = await f.svc.mkdir(ROOT, f.root, 'b', {});
    for (const n of ['1', '2', '3']) await f.svc.create(ROOT, a.handle, n, {}, guarded);
    const pa = await f.svc.readDir(ROOT, a.handle, 0, undefined, 1);
    const pb = await f.svc.readDir(ROOT, b.handle, 0, undefined, 1);
    const cookie = pa.entries[0]!.cookie;
    await rejects(f.svc.readDir(ROOT, a.handle, cookie, pb.verifier, 1), 'BAD_COOKIE');
    expect((await f.svc.readDir(ROOT, a.handle, cookie, Buffer.alloc(8), 5)).entries.map((e) => e.name)).toEqual([
      '2',
      '3',
    ]);
  });

  it('needs read permission on a directory', async () => {
    const f = await setup();
    const file = await f.svc.create(ROOT, f.root, 'f', {}, guarded);
    await rejects(f.svc.readDir(ROOT, file.handle, 0, undefined, 10), 'NOT_DIRECTORY');
    const { handle: closed } = await f.svc.mkdir(ROOT, f.root, 'closed', { mode: 0o711 });
    await rejects(f.svc.readDir(ALICE, closed, 0, undefined, 10), 'ACCESS_DENIED');
    expect((await f.svc.readDir(ALICE, f.root, 0, undefined, 10)).entries).toHaveLength(2);
  });
});
