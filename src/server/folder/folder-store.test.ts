// What a folder store does beyond the store contract (storetest/folder.test.ts runs the
// conformance suite on it, and the MetadataService tests run on it too: vitest.config.ts):
// a directory that already holds files, served in place, changed by other programs while
// it is served, and opened again after a restart.
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isDittoError } from '../../shared/errors.ts';
import { MetadataService } from '../metadata/service.ts';
import { ALICE, OPTIONS, ROOT, rejects } from '../metadata/testing.ts';
import { DosAttr, FileType, type FileHandle } from '../metadata/types.ts';
import { fsError } from './errors.ts';
import { FolderStore, type FolderStoreOptions } from './folder-store.ts';

const guarded = { kind: 'guarded' } as const;

describe('folder store', () => {
  let base: string;
  let folder: string;
  let store: FolderStore;
  let svc: MetadataService;
  let root: FileHandle;
  const extra: Partial<FolderStoreOptions> = {};

  const at = (...parts: string[]): string => join(folder, ...parts);

  async function open(options: Partial<FolderStoreOptions> = {}): Promise<void> {
    store = await FolderStore.open({ path: folder, indexPath: join(base, 'data', 'index.db'), ...extra, ...options });
    svc = new MetadataService();
    await svc.registerShare('/photos', { id: 3, store, options: OPTIONS, enabled: true });
    root = await svc.rootHandle('/photos');
  }

  async function restart(): Promise<void> {
    await store.close();
    await open();
  }

  /** The handle of a path below the share root, looked up name by name as a client does. */
  async function walk(path: string): Promise<FileHandle> {
    let h = root;
    for (const name of path.split('/')) h = (await svc.lookup(ROOT, h, name)).handle;
    return h;
  }

  async function names(dir: FileHandle): Promise<string[]> {
    return (await svc.readDir(ROOT, dir, 0, undefined, 10_000)).entries.map((e) => e.name).sort();
  }

  async function read(h: FileHandle, length = 1 << 20): Promise<Buffer> {
    const attr = await svc.prepareRead(ROOT, h);
    return Buffer.from(await store.content.readAt(attr.payloadId, 0, Math.min(length, attr.size)));
  }

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'dittofs-folder-store-'));
    folder = join(base, 'Photos');
    // World-writable, as a share root is, so that users other than the owner can create.
    mkdirSync(folder, { mode: 0o777 });
    chmodSync(folder, 0o777);
    extra.realOwnership = false;
  });

  afterEach(async () => {
    await store?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('serves the files already in the folder as they are, without scanning it at open', async () => {
    mkdirSync(at('2024', 'summer trip'), { recursive: true });
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    big.write('start', 0);
    writeFileSync(at('2024', 'summer trip', 'IMG 0001.jpg'), big);
    writeFileSync(at('été – ünïcode.txt'), 'bonjour\n');
    utimesSync(at('été – ünïcode.txt'), 1_600_000_000.25, 1_500_000_000.5);
    symlinkSync('2024/summer trip', at('latest'));
    await open();
    expect(await store.fileCount()).toBe(1);

    expect(await names(root)).toEqual(['2024', 'latest', 'été – ünïcode.txt']);
    const photo = await walk('2024/summer trip/IMG 0001.jpg');
    expect(await svc.getAttr(ROOT, photo)).toMatchObject({ type: FileType.Regular, size: big.length, nlink: 1 });
    expect((await read(photo, big.length)).equals(big)).toBe(true);
    const text = await svc.getAttr(ROOT, await walk('été – ünïcode.txt'));
    expect(text).toMatchObject({ size: 8, mtime: { sec: 1_500_000_000, nsec: 500_000_000 } });
    expect(text.mode).toBe(statSync(at('été – ünïcode.txt')).mode & 0o7777);
    const link = await walk('latest');
    expect((await svc.readLink(ROOT, link)).target).toBe('2024/summer trip');
    expect((await svc.getAttr(ROOT, await walk('2024'))).type).toBe(FileType.Directory);
  });

  it("answers a lazy create (SMB) before its directory's sync, which a durable change after it makes at once and waits for", async () => {
    await open();
    // Holds every sync until released: the order of answers and syncs is what is checked.
    const held: Array<() => void> = [];
    const syncs = (store as unknown as { syncs: { sync: (path: string) => Promise<void> } }).syncs;
    const real = syncs.sync.bind(syncs);
    syncs.sync = (path) =>
      new Promise<void>((resolve, reject) => held.push(() => void real(path).then(resolve, reject)));
    const release = (): void => {
      while (held.length > 0) held.shift()!();
    };
    try {
      const made = await svc.create(ALICE, root, 'lazy.txt', { mode: 0o644 }, guarded, { lazy: true });
      await svc.create(ALICE, root, 'lazy2.txt', { mode: 0o644 }, guarded, { lazy: true });
      expect(statSync(at('lazy.txt')).isFile()).toBe(true);
      expect(held.length).toBe(0); // answered; its sync is owed, not started
      let durableDone = false;
      const durable = svc.persistWrites(ALICE, made.handle, 'flush').then(() => (durableDone = true));
      await new Promise((r) => setTimeout(r, 20));
      // FLUSH makes the owed sync at once (one for both creates' directory) and waits for it.
      expect(held.length).toBe(1);
      expect(durableDone).toBe(false);
      release();
      await durable;
      expect(durableDone).toBe(true);
    } finally {
      syncs.sync = real;
      release();
    }
  });

  it('makes the owed syncs of lazy creates on its own, a moment later', async () => {
    await open();
    const paths: string[] = [];
    const syncs = (store as unknown as { syncs: { sync: (path: string) => Promise<void> } }).syncs;
    const real = syncs.sync.bind(syncs);
    syncs.sync = (path) => {
      paths.push(path);
      return real(path);
    };
    try {
      const d = await svc.mkdir(ALICE, root, 'copies', { mode: 0o755 });
      paths.length = 0;
      await svc.create(ALICE, d.handle, 'f0', { mode: 0o644 }, guarded, { lazy: true });
      expect(paths).toEqual([]); // answered before any sync
      for (let i = 1; i < 20; i++) await svc.create(ALICE, d.handle, `f${i}`, { mode: 0o644 }, guarded, { lazy: true });
      await vi.waitFor(() => expect(paths.length).toBeGreaterThan(0), { timeout: 2000, interval: 20 });
      // One sync of the directory for many creates (a few if this machine took longer than the delay).
      expect(new Set(paths)).toEqual(new Set([at('copies')]));
      expect(paths.length).toBeLessThan(10);
    } finally {
      syncs.sync = real;
    }
  });

  it('writes plain files into the folder and keeps its own data out of it', async () => {
    await open();
    const d = await svc.mkdir(ALICE, root, 'docs', { mode: 0o755 });
    const f = await svc.create(ALICE, d.handle, 'note.txt', { mode: 0o640 }, guarded);
    await store.content.writeAt(f.attr.payloadId, Buffer.from('written over NFS'), 0);
    await svc.commitWrite(ALICE, f.handle, 16);
    await store.content.flush(f.attr.payloadId);
    await svc.symlink(ALICE, d.handle, 'to-note', 'note.txt', {});
    await svc.link(ALICE, f.handle, root, 'hard');
    expect(readFileSync(at('docs', 'note.txt'), 'utf8')).toBe('written over NFS');
    expect(readFileSync(at('hard'), 'utf8')).toBe('written over NFS');
    expect(readdirSync(folder).sort()).toEqual(['docs', 'hard']);
    expect(readdirSync(at('docs')).sort()).toEqual(['note.txt', 'to-note']);
    // Clients see the owner and mode they set; the file keeps what its owner, the process, needs.
    expect(await svc.getAttr(ROOT, f.handle)).toMatchObject({ uid: 1000, gid: 1000, mode: 0o640, size: 16, nlink: 2 });
    expect(statSync(at('docs', 'note.txt')).mode & 0o600).toBe(0o600);

    await svc.rename(ALICE, d.handle, 'note.txt', root, 'moved.txt');
    await svc.remove(ALICE, root, 'hard');
    await svc.remove(ALICE, d.handle, 'to-note');
    await svc.rmdir(ALICE, root, 'docs');
    expect(readdirSync(folder)).toEqual(['moved.txt']);
    expect(readFileSync(at('moved.txt'), 'utf8')).toBe('written over NFS');
  });

  it('sees files created, changed and removed by other programs while it serves', async () => {
    await open();
    expect(await names(root)).toEqual([]);
    writeFileSync(at('new.txt'), 'one');
    mkdirSync(at('album'));
    expect(await names(root)).toEqual(['album', 'new.txt']);
    const h = await walk('new.txt');
    writeFileSync(at('new.txt'), 'one, two, three');
    expect((await svc.getAttr(ROOT, h)).size).toBe(15);
    expect((await read(h)).toString()).toBe('one, two, three');
    unlinkSync(at('new.txt'));
    await rejects(svc.lookup(ROOT, root, 'new.txt'), 'NOT_FOUND');
    await rejects(svc.getAttr(ROOT, h), 'STALE_HANDLE');
    expect(await names(root)).toEqual(['album']);
  });

  it("lists what dfs itself changed at once, and other programs' changes within a second", async () => {
    writeFileSync(at('f'), 'one');
    await open();
    const sizeListed = async (): Promise<number | undefined> =>
      (await svc.readDir(ROOT, root, 0, undefined, 10)).entries.find((e) => e.name === 'f')?.attr.size;
    expect(await sizeListed()).toBe(3);
    const h = await walk('f');
    await store.content.writeAt((await svc.getAttr(ROOT, h)).payloadId, Buffer.from('three'), 3);
    expect(await sizeListed()).toBe(8);
    await svc.setAttr(ROOT, h, { size: 2 });
    expect(await sizeListed()).toBe(2);
    writeFileSync(at('f'), 'changed by another program');
    expect((await svc.getAttr(ROOT, h)).size).toBe(26);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await sizeListed()).toBe(26);
  });

  it('keeps a handle when the file is renamed or moved in the folder, or its directory is', async () => {
    mkdirSync(at('a', 'b'), { recursive: true });
    mkdirSync(at('x', 'y', 'z'), { recursive: true });
    writeFileSync(at('a', 'b', 'f.txt'), 'payload');
    await open();
    const h = await walk('a/b/f.txt');
    const fileid = (await svc.getAttr(ROOT, h)).fileid;
    renameSync(at('a', 'b', 'f.txt'), at('a', 'b', 'g.txt'));
    expect((await svc.getAttr(ROOT, h)).fileid).toBe(fileid);
    renameSync(at('a', 'b', 'g.txt'), at('x', 'y', 'z', 'deep.txt'));
    expect((await read(h)).toString()).toBe('payload');
    renameSync(at('x'), at('x2'));
    expect((await read(h)).toString()).toBe('payload');
    expect((await walk('x2/y/z/deep.txt')).equals(h)).toBe(true);
    // From the root into a subdirectory.
    writeFileSync(at('top.txt'), 'top');
    const top = await walk('top.txt');
    renameSync(at('top.txt'), at('a', 'b', 'top.txt'));
    expect((await read(top)).toString()).toBe('top');
  });

  it('never takes a new file for one that is gone, even in a reused inode', async () => {
    writeFileSync(at('old.txt'), 'old');
    await open();
    const old = await walk('old.txt');
    await store.close();
    // The index now says old.txt was born at another time: the file there is not that one
    // (as when a program deletes a file and the next one gets its inode).
    const db = new BetterSqlite3(join(base, 'data', 'index.db'));
    expect(db.prepare("UPDATE nodes SET btime = btime - 1000 WHERE name = 'old.txt'").run().changes).toBe(1);
    db.close();
    await open();
    await rejects(svc.getAttr(ROOT, old), 'STALE_HANDLE');
    const now = await walk('old.txt');
    expect(now.equals(old)).toBe(false);
    expect((await read(now)).toString()).toBe('old');
  });

  it('keeps handles, owners and modes across a restart', async () => {
    writeFileSync(at('kept.txt'), 'kept');
    await open();
    const kept = await walk('kept.txt');
    await svc.setAttr(ROOT, kept, { uid: 1234, gid: 5678, mode: 0o600 });
    const made = await svc.create(ALICE, root, 'made.txt', { mode: 0o604 }, guarded);
    const before = [await svc.getAttr(ROOT, kept), await svc.getAttr(ROOT, made.handle)];
    const listing = (await svc.readDir(ROOT, root, 0, undefined, 100)).entries;
    await restart();
    expect([await svc.getAttr(ROOT, kept), await svc.getAttr(ROOT, made.handle)]).toEqual(before);
    // (The directory's own atime moved: listing it read it.)
    expect((await svc.readDir(ROOT, root, 0, undefined, 100)).entries).toEqual(listing);
    expect(statSync(at('kept.txt')).uid).toBe(process.getuid?.());
  });

  it('upgrades an index of schema 1 and keeps DOS attributes in it, not in the folder', async () => {
    writeFileSync(at('doc.txt'), 'x');
    await open();
    await walk('doc.txt');
    await store.close();
    // Schema 1 had no DOS attributes column, nor the streams table.
    const db = new BetterSqlite3(join(base, 'data', 'index.db'));
    db.exec('ALTER TABLE nodes DROP COLUMN dos; DROP TABLE streams');
    db.pragma('user_version = 1');
    db.close();
    await open();
    const h = await walk('doc.txt');
    expect((await svc.getAttr(ROOT, h)).dosAttributes).toBe(DosAttr.ARCHIVE);
    await svc.setAttr(ROOT, h, { dosAttributes: DosAttr.HIDDEN | DosAttr.SYSTEM, sparse: true });
    await restart();
    expect((await svc.getAttr(ROOT, await walk('doc.txt'))).dosAttributes).toBe(
      DosAttr.HIDDEN | DosAttr.SYSTEM | DosAttr.SPARSE_FILE,
    );
    expect(readdirSync(folder)).toEqual(['doc.txt']);
  });

  it('lets a local chmod win over a mode set by a client', async () => {
    writeFileSync(at('f'), '');
    chmodSync(at('f'), 0o644);
    await open();
    const h = await walk('f');
    await svc.setAttr(ROOT, h, { mode: 0o600 });
    expect((await svc.getAttr(ROOT, h)).mode).toBe(0o600);
    expect(statSync(at('f')).mode & 0o777).toBe(0o644);
    chmodSync(at('f'), 0o640);
    expect((await svc.getAttr(ROOT, h)).mode).toBe(0o640);
  });

  it.skipIf(process.getuid?.() !== 0)('as root, gives files the owner and mode clients set', async () => {
    extra.realOwnership = true;
    writeFileSync(at('f'), '');
    await open();
    const h = await walk('f');
    await svc.setAttr(ROOT, h, { uid: 1234, gid: 5678, mode: 0o4750 });
    const st = statSync(at('f'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 5678, 0o4750]);
    const made = await svc.create(ALICE, root, 'alice.txt', { mode: 0o640 }, guarded);
    expect(made.attr).toMatchObject({ uid: 1000, gid: 1000, mode: 0o640 });
    expect(statSync(at('alice.txt'))).toMatchObject({ uid: 1000, gid: 1000, mode: 0o100640 });
  });

  it('replaces a rename target in one rename(2) and makes the replaced file stale', async () => {
    writeFileSync(at('a'), 'new content');
    writeFileSync(at('b'), 'old content');
    await open();
    const a = await walk('a');
    const b = await walk('b');
    const inode = statSync(at('a')).ino;
    const { replaced } = await svc.rename(ROOT, root, 'a', root, 'b');
    expect(replaced?.nlink).toBe(0);
    expect(statSync(at('b')).ino).toBe(inode);
    expect((await read(a)).toString()).toBe('new content');
    await rejects(svc.getAttr(ROOT, b), 'STALE_HANDLE');
  });

  it('lists every name of a hard-linked file, each once across pages', async () => {
    writeFileSync(at('a'), 'x');
    linkSync(at('a'), at('b'));
    linkSync(at('a'), at('c'));
    writeFileSync(at('d'), 'y');
    await open();
    const seen: string[] = [];
    let cookie = 0;
    for (;;) {
      const page = await svc.readDir(ROOT, root, cookie, undefined, 1);
      seen.push(...page.entries.map((e) => e.name));
      if (page.eof) break;
      cookie = page.entries[0]!.cookie;
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps nanosecond times a client sets, which utimes holds to the microsecond only', async () => {
    writeFileSync(at('f'), '');
    await open();
    const h = await walk('f');
    const t = { sec: 1_234_567_890, nsec: 123_456_789 };
    await svc.setAttr(ROOT, h, { mtime: t, atime: t });
    expect(await svc.getAttr(ROOT, h)).toMatchObject({ mtime: t, atime: t });
    expect(statSync(at('f'), { bigint: true }).mtimeNs).toBe(1_234_567_890_123_456_000n);
    utimesSync(at('f'), 1_000, 2_000);
    expect((await svc.getAttr(ROOT, h)).mtime).toEqual({ sec: 2_000, nsec: 0 });
  });

  it('says which file-system refusal a client met', () => {
    const refused = fsError(Object.assign(new Error('invalid'), { code: 'EILSEQ' }), '/x/na\u0000me');
    expect(isDittoError(refused, 'INVALID_ARGUMENT') && refused.message).toMatch(/refuses this name/);
    expect(fsError(Object.assign(new Error('x'), { code: 'ENOTEMPTY' }), '/d').code).toBe('NOT_EMPTY');
    expect(fsError(Object.assign(new Error('x'), { code: 'EEXIST' }), '/d', true).code).toBe('NOT_EMPTY');
    expect(fsError(Object.assign(new Error('x'), { code: 'ENOSPC' }), '/d').code).toBe('NO_SPACE');
    expect(fsError(Object.assign(new Error('x'), { code: 'EXDEV' }), '/d').code).toBe('CROSS_DEVICE');
  });

  it('refuses a path that is not a directory', async () => {
    writeFileSync(join(base, 'file'), '');
    const err = await FolderStore.open({ path: join(base, 'file'), indexPath: join(base, 'i.db') }).catch((e) => e);
    expect(isDittoError(err, 'NOT_DIRECTORY')).toBe(true);
    await open();
  });
});
