/** NFSv3 handler behaviour through the dispatch wrapper, against the real services over in-memory stores. */
import { describe, expect, it, vi } from 'vitest';
import { FileType, type FileHandle, type SetAttrs } from '../../../metadata/types.ts';
import type { RpcCall, RpcProcedure } from '../../rpc/program.ts';
import { SHARE, testCall, testRuntime } from '../../testing/test-runtime.ts';
import type { Nfs3Result } from './codec/results.ts';
import { NfsProc } from './constants.ts';
import type { Nfs3Outcome } from './handler.ts';
import type { ListedEntry } from './dirlist.ts';
import { nfs3Program } from './program.ts';

const callFrom = (clientAddr = '10.0.0.9'): RpcCall => testCall(100003, 0, clientAddr, 1000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read result fields by procedure
type AnyRes = Nfs3Result & Record<string, any>;

async function harness(allowedNetworks: string[] = []) {
  const rt = await testRuntime(allowedNetworks);
  const prog = nfs3Program(rt);
  const md = rt.metadata;
  const { root } = rt;
  const call = async (proc: number, args: unknown, from = callFrom()): Promise<AnyRes> => {
    const p = prog.procedures[proc] as RpcProcedure<unknown, Nfs3Outcome<AnyRes>>;
    return (await p.run(from, args)).res;
  };
  const auth = callFrom().auth;
  const mkfile = async (name: string, content = ''): Promise<FileHandle> => {
    const e = await md.create(auth, root, name, {}, { kind: 'unchecked' });
    if (content) {
      await rt.payload.writeAt(SHARE, e.attr.payloadId, Buffer.from(content), 0);
      await md.commitWrite(auth, e.handle, content.length);
    }
    return e.handle;
  };
  const payloadOf = async (fh: FileHandle): Promise<string> => (await md.getAttr(auth, fh)).payloadId;
  /** The first `n` bytes of a file's content (holes and bytes past its end read as zeros). */
  const content = async (fh: FileHandle, n: number): Promise<string> =>
    (await rt.payload.readAt(SHARE, await payloadOf(fh), 0, n)).toString('latin1');
  return { rt, md, root, call, mkfile, auth, payloadOf, content };
}

const where = (dir: FileHandle, name: string) => ({ dir, name });

describe('dispatch wrapper', () => {
  it('records a sample per call', async () => {
    const { rt, root, call } = await harness();
    expect((await call(NfsProc.GETATTR, { fh: root })).status).toBe(0);
    expect(rt.samples).toMatchObject([
      { protocol: 'nfs3', op: 'GETATTR', share: '/export', clientAddr: '10.0.0.9', status: 'ok' },
    ]);
  });

  it('maps bad and stale handles', async () => {
    const { rt, call, mkfile, md, auth, root } = await harness();
    expect((await call(NfsProc.GETATTR, { fh: Buffer.from('abc') })).status).toBe(10001);
    expect(rt.samples[0]).toMatchObject({ share: undefined, status: 'BAD_HANDLE' });
    const gone = await mkfile('gone');
    await md.remove(auth, root, 'gone');
    expect((await call(NfsProc.GETATTR, { fh: gone })).status).toBe(70);
    rt.setEnabled(false);
    expect((await call(NfsProc.GETATTR, { fh: root })).status).toBe(70);
  });

  it('applies the export client rules to every call (a share that does not admit the client: STALE)', async () => {
    const { root, call } = await harness(['192.168.0.0/16']);
    expect((await call(NfsProc.GETATTR, { fh: root })).status).toBe(70);
    expect((await call(NfsProc.GETATTR, { fh: root }, callFrom('192.168.7.7'))).status).toBe(0);
  });

  it("answers NFS3ERR_ACCES on any handle of a share granting nothing, NFS3ERR_ROFS to a reader's changes", async () => {
    const { rt, root, call, mkfile } = await harness();
    const fh = await mkfile('f', 'data');
    rt.setExport({ access: () => 'none' });
    for (const [proc, args] of [
      [NfsProc.GETATTR, { fh: root }],
      [NfsProc.FSINFO, { fh: root }],
      [NfsProc.READ, { fh, offset: 0, count: 4 }],
      [NfsProc.WRITE, { fh, offset: 0, stable: 2, data: Buffer.from('x') }],
    ] as const) {
      expect((await call(proc, args)).status, `proc ${proc}`).toBe(13);
    }
    rt.setExport({ access: () => 'read' });
    expect((await call(NfsProc.READ, { fh, offset: 0, count: 4 })).ok.data.toString()).toBe('data');
    expect((await call(NfsProc.WRITE, { fh, offset: 0, stable: 2, data: Buffer.from('x') })).status).toBe(30);
    expect((await call(NfsProc.COMMIT, { fh, offset: 0, count: 0 })).status).toBe(0);
  });

  it('turns unexpected exceptions into NFS3ERR_SERVERFAULT', async () => {
    const { rt, root, call, md } = await harness();
    vi.spyOn(md, 'getAttr').mockRejectedValueOnce(new TypeError('bug'));
    expect((await call(NfsProc.GETATTR, { fh: root })).status).toBe(10006);
    expect(rt.samples[0]?.status).toBe('SERVER_FAULT');
  });
});

describe('READ / WRITE / COMMIT', () => {
  it('clips READ to the file size and sets eof', async () => {
    const { rt, call, mkfile } = await harness();
    const fh = await mkfile('f', 'helloworld');
    const all = await call(NfsProc.READ, { fh, offset: 0, count: 100 });
    expect(all.ok.data.toString()).toBe('helloworld');
    expect(all.ok.eof).toBe(true);
    const mid = await call(NfsProc.READ, { fh, offset: 2, count: 3 });
    expect([mid.ok.data.toString(), mid.ok.eof]).toEqual(['llo', false]);
    const past = await call(NfsProc.READ, { fh, offset: 50, count: 3 });
    expect([past.ok.data.length, past.ok.eof]).toEqual([0, true]);
    expect(rt.samples.map((s) => s.bytesRead)).toEqual([10, 3, 0]);
  });

  it('never reads more than rtmax', async () => {
    const { call, mkfile, md, auth } = await harness();
    const fh = await mkfile('big');
    await md.commitWrite(auth, fh, 8 * 1024 * 1024);
    const r = await call(NfsProc.READ, { fh, offset: 0, count: 0xffffffff });
    expect(r.ok.data.length).toBe(1024 * 1024);
    expect(r.ok.eof).toBe(false);
  });

  it('refuses READ on a directory', async () => {
    const { call, root } = await harness();
    expect((await call(NfsProc.READ, { fh: root, offset: 0, count: 1 })).status).toBe(21);
  });

  it('WRITE stores, extends and honours stable_how', async () => {
    const { rt, call, mkfile, md, content, auth } = await harness();
    const fh = await mkfile('w');
    const flush = vi.spyOn(rt.payload, 'flush');
    const unstable = await call(NfsProc.WRITE, { fh, offset: 0, stable: 0, data: Buffer.from('abc') });
    expect(unstable.ok).toEqual({ count: 3, committed: 0, verifier: rt.bootVerifier });
    expect(unstable.wcc.before.size).toBe(0);
    expect(unstable.wcc.after.size).toBe(3);
    expect(flush).not.toHaveBeenCalled();
    const dataSync = await call(NfsProc.WRITE, { fh, offset: 3, stable: 1, data: Buffer.from('de') });
    expect(dataSync.ok.committed).toBe(2);
    expect(flush).toHaveBeenCalledTimes(1);
    expect((await md.getAttr(auth, fh)).size).toBe(5);
    expect(await content(fh, 5)).toBe('abcde');
    expect(rt.samples.map((s) => s.bytesWritten)).toEqual([3, 2]);
  });

  it('WRITE past the largest file size is NFS3ERR_FBIG', async () => {
    const { call, mkfile } = await harness();
    const fh = await mkfile('w');
    expect(
      (await call(NfsProc.WRITE, { fh, offset: Number.MAX_SAFE_INTEGER - 1, stable: 0, data: Buffer.from('abc') }))
        .status,
    ).toBe(27);
  });

  it('COMMIT flushes and returns the boot verifier', async () => {
    const { rt, call, mkfile, payloadOf } = await harness();
    const fh = await mkfile('c', 'x');
    const flush = vi.spyOn(rt.payload, 'flush');
    const r = await call(NfsProc.COMMIT, { fh, offset: 0, count: 0 });
    expect(r.ok.verifier).toEqual(rt.bootVerifier);
    expect(flush).toHaveBeenCalledWith(SHARE, await payloadOf(fh));
  });
});

describe('namespace operations', () => {
  it('CREATE UNCHECKED with size 0 truncates an existing file', async () => {
    const { rt, call, mkfile, root, payloadOf, content } = await harness();
    const fh = await mkfile('t', 'content');
    const truncate = vi.spyOn(rt.payload, 'truncate');
    const attrs: SetAttrs = { size: 0 };
    const r = await call(NfsProc.CREATE, { where: where(root, 't'), mode: { kind: 'unchecked' }, attrs });
    expect(r.status).toBe(0);
    expect(r.ok.attr.size).toBe(0);
    expect(truncate).toHaveBeenCalledWith(SHARE, await payloadOf(fh), 0);
    expect(await content(fh, 7)).toBe('\0'.repeat(7));
  });

  it('CREATE GUARDED on an existing name is NFS3ERR_EXIST; EXCLUSIVE retransmits succeed', async () => {
    const { call, mkfile, root } = await harness();
    await mkfile('g');
    expect((await call(NfsProc.CREATE, { where: where(root, 'g'), mode: { kind: 'guarded' }, attrs: {} })).status).toBe(
      17,
    );
    const ex = { where: where(root, 'x'), mode: { kind: 'exclusive', verifier: Buffer.from('12345678') }, attrs: {} };
    const first = await call(NfsProc.CREATE, ex);
    const again = await call(NfsProc.CREATE, ex);
    expect(again.status).toBe(0);
    expect(again.ok.handle).toEqual(first.ok.handle);
  });

  it('SETATTR with a size truncates the content', async () => {
    const { call, mkfile, content } = await harness();
    const fh = await mkfile('s', 'abcdef');
    const r = await call(NfsProc.SETATTR, { fh, attrs: { size: 2 }, guard: undefined });
    expect(r.wcc.after.size).toBe(2);
    expect(await content(fh, 6)).toBe('ab\0\0\0\0');
  });

  it('REMOVE deletes the content with the last link only', async () => {
    const { rt, call, mkfile, root, payloadOf } = await harness();
    const fh = await mkfile('r', 'x');
    const payloadId = await payloadOf(fh);
    const del = vi.spyOn(rt.payload, 'delete');
    expect((await call(NfsProc.LINK, { file: fh, link: where(root, 'r2') })).status).toBe(0);
    expect((await call(NfsProc.REMOVE, where(root, 'r'))).status).toBe(0);
    expect(del).not.toHaveBeenCalled();
    expect((await call(NfsProc.REMOVE, where(root, 'r2'))).status).toBe(0);
    expect(del).toHaveBeenCalledWith(SHARE, payloadId);
    expect((await rt.payload.readAt(SHARE, payloadId, 0, 1)).toString('latin1')).toBe('\0');
  });

  it('RENAME over a file deletes the replaced content', async () => {
    const { rt, call, mkfile, root, payloadOf } = await harness();
    const from = await payloadOf(await mkfile('from', 'a'));
    const to = await payloadOf(await mkfile('to', 'b'));
    const del = vi.spyOn(rt.payload, 'delete');
    const r = await call(NfsProc.RENAME, { from: where(root, 'from'), to: where(root, 'to') });
    expect(r.status).toBe(0);
    expect(del.mock.calls).toEqual([[SHARE, to]]);
    expect(del).not.toHaveBeenCalledWith(SHARE, from);
  });

  it('MKNOD makes special files only', async () => {
    const { call, root } = await harness();
    expect(
      (
        await call(NfsProc.MKNOD, {
          where: where(root, 'm'),
          type: FileType.Regular,
          attrs: {},
          rdev: { major: 0, minor: 0 },
        })
      ).status,
    ).toBe(10007);
    const fifo = await call(NfsProc.MKNOD, {
      where: where(root, 'p'),
      type: FileType.Fifo,
      attrs: {},
      rdev: { major: 0, minor: 0 },
    });
    expect(fifo.ok.attr.type).toBe(FileType.Fifo);
  });

  it('MKDIR, SYMLINK, READLINK, LOOKUP, RMDIR', async () => {
    const { call, root } = await harness();
    const d = await call(NfsProc.MKDIR, { where: where(root, 'd'), attrs: { mode: 0o700 } });
    expect(d.ok.attr.type).toBe(FileType.Directory);
    const l = await call(NfsProc.SYMLINK, { where: where(d.ok.handle, 'l'), attrs: {}, target: '/elsewhere' });
    expect((await call(NfsProc.READLINK, { fh: l.ok.handle })).ok.target).toBe('/elsewhere');
    expect((await call(NfsProc.LOOKUP, where(d.ok.handle, 'l'))).ok.handle).toEqual(l.ok.handle);
    expect((await call(NfsProc.RMDIR, where(root, 'd'))).status).toBe(66);
  });
});

describe('READDIR / READDIRPLUS', () => {
  const ZERO = Buffer.alloc(8);

  it('starts with "." and ".." and resumes by cookie', async () => {
    const { call, mkfile, root } = await harness();
    for (const n of ['b', 'a', 'c']) await mkfile(n);
    const r = await call(NfsProc.READDIR, { dir: root, cookie: 0, cookieverf: ZERO, count: 4096 });
    const entries = r.ok.entries as ListedEntry[];
    // The store lists in creation order; "." and ".." have cookies 1 and 2, entries come after.
    expect(entries.map((e) => e.name)).toEqual(['.', '..', 'b', 'a', 'c']);
    expect(entries.slice(0, 2).map((e) => e.cookie)).toEqual([1, 2]);
    const cookies = entries.slice(2).map((e) => e.cookie);
    expect(cookies[0]).toBeGreaterThan(2);
    expect([...cookies].sort((x, y) => x - y)).toEqual(cookies);
    expect(r.ok.eof).toBe(true);
    const verf = r.ok.verifier as Buffer;
    expect(verf.equals(ZERO)).toBe(false);
    const afterA = (entries[3] as ListedEntry).cookie;
    const after = await call(NfsProc.READDIR, { dir: root, cookie: afterA, cookieverf: verf, count: 4096 });
    expect((after.ok.entries as ListedEntry[]).map((e) => e.name)).toEqual(['c']);
    const afterDot = await call(NfsProc.READDIR, { dir: root, cookie: 1, cookieverf: ZERO, count: 4096 });
    expect((afterDot.ok.entries as ListedEntry[]).map((e) => e.name)).toEqual(['..', 'b', 'a', 'c']);
    const zeroVerf = await call(NfsProc.READDIR, { dir: root, cookie: afterA, cookieverf: ZERO, count: 4096 });
    expect(zeroVerf.status).toBe(0);
    const bad = await call(NfsProc.READDIR, {
      dir: root,
      cookie: afterA,
      cookieverf: Buffer.from('ffffffffffffffff', 'hex'),
      count: 4096,
    });
    expect(bad.status).toBe(10003);
  });

  it('pages within the byte budget and lists every entry exactly once', async () => {
    const { call, mkfile, root } = await harness();
    const want = Array.from({ length: 40 }, (_, i) => `file-${String(i).padStart(3, '0')}`);
    for (const n of want) await mkfile(n);
    for (const plus of [false, true]) {
      const seen: string[] = [];
      let cookie = 0;
      let verf = ZERO;
      for (let pages = 0; ; pages++) {
        expect(pages).toBeLessThan(100);
        const args = plus
          ? { dir: root, cookie, cookieverf: verf, dircount: 200, maxcount: 1200 }
          : { dir: root, cookie, cookieverf: verf, count: 300 };
        const r = await call(plus ? NfsProc.READDIRPLUS : NfsProc.READDIR, args);
        expect(r.status).toBe(0);
        const entries = r.ok.entries as ListedEntry[];
        expect(entries.length).toBeGreaterThan(0);
        seen.push(...entries.map((e) => e.name));
        if (r.ok.eof) break;
        cookie = (entries.at(-1) as ListedEntry).cookie;
        verf = r.ok.verifier;
      }
      expect(seen).toEqual(['.', '..', ...want]);
    }
  });

  it('READDIRPLUS carries handles and attributes', async () => {
    const { call, mkfile, root } = await harness();
    const fh = await mkfile('one');
    const r = await call(NfsProc.READDIRPLUS, {
      dir: root,
      cookie: 0,
      cookieverf: ZERO,
      dircount: 8192,
      maxcount: 32768,
    });
    const one = (r.ok.entries as ListedEntry[]).find((e) => e.name === 'one');
    expect(one?.handle).toEqual(fh);
    expect(one?.attr?.type).toBe(FileType.Regular);
    const dotdot = (r.ok.entries as ListedEntry[])[1];
    expect(dotdot?.handle).toEqual(root);
  });

  it('is NFS3ERR_TOOSMALL when not one entry fits', async () => {
    const { call, root } = await harness();
    expect((await call(NfsProc.READDIR, { dir: root, cookie: 0, cookieverf: ZERO, count: 120 })).status).toBe(10005);
  });

  it('FSSTAT, FSINFO, PATHCONF, ACCESS answer', async () => {
    const { call, root } = await harness();
    const fs = (await call(NfsProc.FSSTAT, { fh: root })).ok;
    expect(fs.totalFiles).toBeGreaterThan(0);
    expect(fs.freeFiles).toBeLessThan(fs.totalFiles);
    expect((await call(NfsProc.FSINFO, { fh: root })).ok.wtmax).toBe(1024 * 1024);
    expect((await call(NfsProc.PATHCONF, { fh: root })).ok.nameMax).toBe(255);
    // EXECUTE has no meaning for a directory (RFC 1813 §3.3.4): all but it.
    expect((await call(NfsProc.ACCESS, { fh: root, access: 0x3f })).ok.access).toBe(0x1f);
  });
});
