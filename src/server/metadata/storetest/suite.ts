/**
 * The metadata store conformance suite: every MetadataStore implementation runs it
 * unchanged (see the *.test.ts files beside it). A new backend is done when it passes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DittoError, isDittoError } from '../../../shared/errors.ts';
import type { FileRecord, MetadataStore, StoreTx } from '../store.ts';
import { DosAttr, FileType } from '../types.ts';

export interface StoreHarness {
  /** Opens the store under test; for a persistent store, reopening after close sees the same data. */
  open(): Promise<MetadataStore>;
  persistent: boolean;
  cleanup(): Promise<void>;
  /**
   * Set by a store over a real directory (the folder store, docs/folder-shares.md): every
   * file there has a name, so each record the suite makes outside a directory is given one
   * by `place`. Such a store takes sizes, link counts and times from the file system, keeps
   * one cookie per file and has the folder as every share's root, so the tests of a store
   * that keeps records exactly as given are skipped for it; src/server/folder/ tests that.
   */
  place?: (tx: StoreTx, fileid: number) => Promise<void>;
}

let seq = 0;

/** A record with every field set to a distinct value, so a dropped column shows up. */
export function sampleRecord(overrides: Partial<FileRecord['attr']> = {}, root = 1): FileRecord {
  seq++;
  return {
    attr: {
      type: FileType.Regular,
      mode: 0o4751,
      nlink: 1,
      uid: 1000 + seq,
      gid: 2000 + seq,
      size: 2 ** 40 + seq,
      used: 4096 * seq,
      rdev: { major: 8, minor: seq },
      fileid: 0,
      atime: { sec: 1_700_000_001, nsec: 1 },
      mtime: { sec: 1_700_000_002, nsec: 999_999_999 },
      ctime: { sec: 1_700_000_003, nsec: seq },
      btime: { sec: 1_600_000_000, nsec: 0 },
      payloadId: `payload-${seq}`,
      dosAttributes: DosAttr.HIDDEN | DosAttr.SYSTEM,
      ...overrides,
    },
    root,
    parent: 0,
    generation: 0,
    target: '',
    verifier: undefined,
  };
}

function expectCode(err: unknown, code: string): void {
  expect(isDittoError(err) ? err.code : err).toBe(code);
}

export function runStoreConformance(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`metadata store conformance: ${name}`, () => {
    let h: StoreHarness;
    let store: MetadataStore;

    beforeEach(async () => {
      h = await makeHarness();
      store = await h.open();
    });

    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    /** A new record outside any directory (given a name where the store needs one). */
    async function orphan(tx: StoreTx, rec: FileRecord): Promise<number> {
      const id = await tx.createFile(rec);
      await h.place?.(tx, id);
      return id;
    }
    const create = (rec: FileRecord) => store.transaction((tx) => orphan(tx, rec));
    /** Skips a test of what only a store keeping records exactly as given can do. */
    const recordsOnly = (skip: (note?: string) => void): void => {
      if (h.place !== undefined) skip('the store keeps files, not records (see StoreHarness.place)');
    };
    /** Every share on a folder store has the folder as its root: roots are checked on the others. */
    async function expectRoot(share: string, id: number): Promise<void> {
      if (h.place === undefined) expect(await store.getRoot(share)).toBe(id);
    }
    /** A directory record plus `names` entries pointing at new files; returns ids. */
    async function dirWith(names: string[]): Promise<{ dir: number; children: number[] }> {
      return store.transaction(async (tx) => {
        const dir = await orphan(tx, sampleRecord({ type: FileType.Directory, nlink: 2 }));
        const children: number[] = [];
        for (const n of names) {
          const id = await tx.createFile(sampleRecord());
          await tx.addEntry(dir, n, id);
          children.push(id);
        }
        return { dir, children };
      });
    }

    it('stores every field of a record and assigns it a fresh fileid', async ({ skip }) => {
      recordsOnly(skip);
      const rec = sampleRecord({ type: FileType.Symlink });
      rec.target = '../some/where ü';
      rec.verifier = Buffer.from('0102030405060708', 'hex');
      rec.parent = 77;
      const id = await create(rec);
      expect(id).toBeGreaterThan(0);
      expect(rec.attr.fileid).toBe(id);
      const got = await store.getFile(id);
      expect(got).toEqual(rec);
      expect(Buffer.isBuffer(got?.verifier)).toBe(true);
      expect(await store.getFile(id + 1000)).toBeUndefined();
    });

    it('assigns distinct increasing fileids and never reuses a deleted one', async () => {
      const a = await create(sampleRecord());
      const b = await create(sampleRecord());
      expect(b).toBeGreaterThan(a);
      await store.transaction((tx) => tx.deleteFile(b));
      expect(await store.getFile(b)).toBeUndefined();
      const c = await create(sampleRecord());
      expect(c).toBeGreaterThan(b);
    });

    it('gives every new file an unguessable generation that putFile cannot change', async () => {
      const recs = Array.from({ length: 64 }, () => sampleRecord());
      await store.transaction(async (tx) => {
        for (const rec of recs) await orphan(tx, rec);
      });
      const generations = recs.map((r) => r.generation);
      for (const g of generations) expect(Number.isSafeInteger(g) && g > 0, `generation ${g}`).toBe(true);
      expect(new Set(generations).size).toBe(recs.length);
      // Random over the whole range, not a counter: 64 draws all below 2^40 mean unused top bits.
      expect(generations.some((g) => g >= 2 ** 40)).toBe(true);
      const stored = (await store.getFile(recs[0]!.attr.fileid))!;
      expect(stored.generation).toBe(generations[0]);

      // A record naming the file with another generation is refused and changes nothing.
      const forged: FileRecord = {
        ...stored,
        generation: stored.generation - 1 || 2,
        attr: { ...stored.attr, size: 1 },
      };
      await expect(store.transaction((tx) => tx.putFile(forged))).rejects.toSatisfy((e) =>
        isDittoError(e, 'NOT_FOUND'),
      );
      expect(await store.getFile(stored.attr.fileid)).toEqual(stored);
      if (h.place !== undefined) return; // a store of files: putFile's effect is tested in its own suite
      const next: FileRecord = { ...stored, attr: { ...stored.attr, size: 2 } };
      await store.transaction((tx) => tx.putFile(next));
      expect(await store.getFile(stored.attr.fileid)).toEqual(next);
    });

    it('replaces records with putFile and rejects unknown ones', async ({ skip }) => {
      recordsOnly(skip);
      const rec = sampleRecord();
      const id = await create(rec);
      const next: FileRecord = { ...rec, attr: { ...rec.attr, size: 5, mode: 0o600, mtime: { sec: 9, nsec: 8 } } };
      await store.transaction((tx) => tx.putFile(next));
      expect(await store.getFile(id)).toEqual(next);
      const ghost = sampleRecord({ fileid: id + 999 });
      await expect(store.transaction((tx) => tx.putFile(ghost))).rejects.toSatisfy((e) => isDittoError(e, 'NOT_FOUND'));
    });

    it('keeps DOS attributes of files and directories as created and as changed, across reopen', async () => {
      const { HIDDEN, SYSTEM, ARCHIVE, READONLY } = DosAttr;
      const { dir, file } = await store.transaction(async (tx) => {
        const d = await orphan(
          tx,
          sampleRecord({ type: FileType.Directory, nlink: 2, dosAttributes: READONLY | HIDDEN }),
        );
        const f = await tx.createFile(sampleRecord({ mode: 0o644, dosAttributes: SYSTEM | ARCHIVE }));
        await tx.addEntry(d, 'dos', f);
        return { dir: d, file: f };
      });
      const dosOf = async (id: number): Promise<number | undefined> => (await store.getFile(id))?.attr.dosAttributes;
      expect(await dosOf(dir)).toBe(READONLY | HIDDEN);
      expect(await dosOf(file)).toBe(SYSTEM | ARCHIVE);
      await store.transaction(async (tx) => {
        for (const [id, dos] of [
          [dir, SYSTEM],
          [file, HIDDEN],
        ] as const) {
          const rec = (await tx.getFile(id))!;
          await tx.putFile({ ...rec, attr: { ...rec.attr, dosAttributes: dos } });
        }
      });
      expect(await dosOf(dir)).toBe(SYSTEM);
      expect(await dosOf(file)).toBe(HIDDEN);
      if (!h.persistent) return;
      await store.close();
      store = await h.open();
      expect(await dosOf(dir)).toBe(SYSTEM);
      expect(await dosOf(file)).toBe(HIDDEN);
    });

    it('adds, looks up and removes directory entries', async () => {
      const { dir, children } = await dirWith(['a', 'A', 'ü-名前', 'b c']);
      expect(await store.lookup(dir, 'a')).toBe(children[0]);
      expect(await store.lookup(dir, 'A')).toBe(children[1]);
      expect(await store.lookup(dir, 'ü-名前')).toBe(children[2]);
      expect(await store.lookup(dir, 'missing')).toBeUndefined();
      expect(await store.hasEntries(dir)).toBe(true);

      const err = await store.transaction((tx) => tx.addEntry(dir, 'a', children[3]!)).catch((e: unknown) => e);
      expectCode(err, 'EXISTS');
      await store.transaction((tx) => tx.removeEntry(dir, 'a'));
      expect(await store.lookup(dir, 'a')).toBeUndefined();
      expect(await store.lookup(dir, 'A')).toBe(children[1]);
      expectCode(await store.transaction((tx) => tx.removeEntry(dir, 'a')).catch((e: unknown) => e), 'NOT_FOUND');

      const other = await dirWith(['a']);
      expect(await store.lookup(other.dir, 'a')).toBe(other.children[0]);
      for (const n of ['A', 'ü-名前', 'b c']) await store.transaction((tx) => tx.removeEntry(dir, n));
      expect(await store.hasEntries(dir)).toBe(false);
      expect(await store.hasEntries(other.dir)).toBe(true);
    });

    it('finds an entry by its name in any case (SMB names)', async () => {
      const { dir } = await dirWith(['Photo.JPG', 'Été.txt', 'x']);
      for (const asked of ['photo.jpg', 'PHOTO.JPG', 'Photo.JPG'])
        expect(await store.findCaseless(dir, asked)).toBe('Photo.JPG');
      expect(await store.findCaseless(dir, 'été.TXT')).toBe('Été.txt');
      expect(await store.findCaseless(dir, 'photo.jpeg')).toBeUndefined();

      // Names of another directory do not count; a removed name is gone.
      const other = await dirWith(['photo.jpg']);
      await store.transaction((tx) => tx.removeEntry(dir, 'Photo.JPG'));
      expect(await store.findCaseless(dir, 'photo.jpg')).toBeUndefined();
      expect(await store.findCaseless(other.dir, 'PHOTO.jpg')).toBe('photo.jpg');

      // Two names of one folded form (NFS is case-sensitive): one of them.
      await store.transaction(async (tx) => {
        for (const n of ['readme', 'README']) await tx.addEntry(dir, n, await tx.createFile(sampleRecord()));
      });
      expect(['readme', 'README']).toContain(await store.findCaseless(dir, 'ReadMe'));

      // A transaction sees its own names.
      await store.transaction(async (tx) => {
        await tx.addEntry(dir, 'New.txt', await tx.createFile(sampleRecord()));
        await tx.removeEntry(dir, 'x');
        expect(await tx.findCaseless(dir, 'new.TXT')).toBe('New.txt');
        expect(await tx.findCaseless(dir, 'X')).toBeUndefined();
      });
      expect(await store.findCaseless(dir, 'NEW.txt')).toBe('New.txt');
    });

    it('reads a directory and the file of one of its entries together', async () => {
      const { dir, children } = await dirWith(['a', 'b']);
      const both = await store.dirAndEntry(dir, 'b');
      expect(both.dir).toEqual(await store.getFile(dir));
      expect(both.file).toEqual(await store.getFile(children[1]!));
      const none = await store.dirAndEntry(dir, 'missing');
      expect(none).toEqual({ dir: await store.getFile(dir), file: undefined });
    });

    it('lists entries in cookie order with resumable, increasing, non-zero cookies', async ({ skip }) => {
      recordsOnly(skip);
      const names = ['zeta', 'alpha', 'mid', 'beta', 'omega'];
      const { dir, children } = await dirWith(names);
      const all = await store.listDir(dir, 0, 100);
      expect(all.map((e) => e.name)).toEqual(names);
      expect(all.map((e) => e.file.attr.fileid)).toEqual(children);
      expect(all[0]!.cookie).toBeGreaterThan(0);
      for (let i = 1; i < all.length; i++) expect(all[i]!.cookie).toBeGreaterThan(all[i - 1]!.cookie);

      const page1 = await store.listDir(dir, 0, 2);
      expect(page1.map((e) => e.name)).toEqual(['zeta', 'alpha']);
      const page2 = await store.listDir(dir, page1[1]!.cookie, 2);
      expect(page2.map((e) => e.name)).toEqual(['mid', 'beta']);

      // Removing the entry a cookie names does not disturb resuming after it.
      await store.transaction(async (tx) => {
        await tx.removeEntry(dir, 'beta');
        await tx.removeEntry(dir, 'alpha');
        await tx.addEntry(dir, 'late', children[0]!);
      });
      const rest = await store.listDir(dir, page2[1]!.cookie, 10);
      expect(rest.map((e) => e.name)).toEqual(['omega', 'late']);
      expect((await store.listDir(dir, 0, 10)).map((e) => e.name)).toEqual(['zeta', 'mid', 'omega', 'late']);
      expect(await store.listDir(dir, rest[1]!.cookie, 10)).toEqual([]);
      expect(await store.listDir(12345678, 0, 10)).toEqual([]);
    });

    it('joins each listed entry with the current record', async ({ skip }) => {
      recordsOnly(skip);
      const { dir, children } = await dirWith(['f']);
      const rec = (await store.getFile(children[0]!))!;
      const next: FileRecord = { ...rec, attr: { ...rec.attr, size: 42 } };
      await store.transaction((tx) => tx.putFile(next));
      const [entry] = await store.listDir(dir, 0, 10);
      expect(entry?.file).toEqual(next);
    });

    it('pages a 1,000-entry directory listing every entry exactly once', async () => {
      const names = Array.from({ length: 1000 }, (_, i) => `file-${(i * 7919) % 1000}`);
      const { dir } = await dirWith(names);
      const seen: string[] = [];
      let cookie = 0;
      for (;;) {
        const page = await store.listDir(dir, cookie, 7);
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.name));
        cookie = page[page.length - 1]!.cookie;
      }
      expect(seen).toEqual(names);
    });

    it('records share roots', async ({ skip }) => {
      recordsOnly(skip);
      expect(await store.getRoot('/export')).toBeUndefined();
      const id = await create(sampleRecord({ type: FileType.Directory }));
      await store.transaction((tx) => tx.setRoot('/export', id));
      expect(await store.getRoot('/export')).toBe(id);
      await store.transaction((tx) => tx.setRoot('/export', id + 1));
      expect(await store.getRoot('/export')).toBe(id + 1);
      expect(await store.getRoot('/other')).toBeUndefined();
    });

    it('returns the body result and sees its own writes inside the transaction', async () => {
      const result = await store.transaction(async (tx) => {
        const id = await orphan(tx, sampleRecord({ type: FileType.Directory }));
        const child = await tx.createFile(sampleRecord());
        await tx.addEntry(id, 'x', child);
        expect(await tx.lookup(id, 'x')).toBe(child);
        expect((await tx.getFile(child))?.attr.fileid).toBe(child);
        expect((await tx.listDir(id, 0, 5)).map((e) => e.name)).toEqual(['x']);
        expect(await tx.hasEntries(id)).toBe(true);
        return { id, child };
      });
      expect(await store.lookup(result.id, 'x')).toBe(result.child);
    });

    it('rolls back every write of a transaction whose body throws', async () => {
      const { dir, children } = await dirWith(['keep', 'gone']);
      const keepRec = (await store.getFile(children[0]!))!;
      await store.transaction((tx) => tx.setRoot('/r', dir));
      const before = await store.fileCount();
      let created = 0;
      const boom = new DittoError('EXISTS', 'boom');
      const err = await store
        .transaction(async (tx) => {
          created = await tx.createFile(sampleRecord());
          await tx.addEntry(dir, 'new', created);
          await tx.putFile({ ...keepRec, attr: { ...keepRec.attr, size: 1 } });
          await tx.removeEntry(dir, 'gone');
          await tx.deleteFile(children[1]!);
          await tx.removeEntry(dir, 'keep');
          await tx.addEntry(dir, 'keep', created);
          await tx.setRoot('/r', created);
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(boom);
      expect(await store.getFile(created)).toBeUndefined();
      expect(await store.getFile(children[0]!)).toEqual(keepRec);
      expect(await store.getFile(children[1]!)).toBeDefined();
      expect(await store.lookup(dir, 'new')).toBeUndefined();
      expect(await store.lookup(dir, 'keep')).toBe(children[0]);
      expect(await store.lookup(dir, 'gone')).toBe(children[1]);
      expect((await store.listDir(dir, 0, 10)).map((e) => e.name)).toEqual(['keep', 'gone']);
      await expectRoot('/r', dir);
      expect(await store.fileCount()).toBe(before);
    });

    it('serialises concurrent transactions (read-modify-write loses no update)', async () => {
      const id = await create(sampleRecord({ size: 0 }));
      const bump = (tx: StoreTx) =>
        tx.getFile(id).then(async (rec) => {
          await tx.putFile({ ...rec!, attr: { ...rec!.attr, size: rec!.attr.size + 1 } });
        });
      await Promise.all(Array.from({ length: 64 }, () => store.transaction(bump)));
      expect((await store.getFile(id))?.attr.size).toBe(64);
    });

    it('fails only the throwing transaction among concurrent ones', async () => {
      const { dir } = await dirWith([]);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.transaction(async (tx) => {
            const id = await tx.createFile(sampleRecord());
            await tx.addEntry(dir, `n${i}`, id);
            if (i % 5 === 0) throw new DittoError('NOT_FOUND', `fail ${i}`);
            return id;
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
      const listed = (await store.listDir(dir, 0, 100)).map((e) => e.name);
      expect(listed).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`).filter((_, i) => i % 5 !== 0));
      // Same-name conflicts between concurrent transactions: exactly one wins.
      const dup = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          store.transaction(async (tx) => tx.addEntry(dir, 'same', await tx.createFile(sampleRecord()))),
        ),
      );
      expect(dup.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('counts files and reports space', async () => {
      const n = await store.fileCount();
      await dirWith(['a', 'b']);
      expect(await store.fileCount()).toBe(n + 3);
      const space = await store.space();
      expect(space.totalBytes).toBeGreaterThan(0);
      expect(space.availBytes).toBeLessThanOrEqual(space.totalBytes);
      expect(Number.isInteger(store.epoch) && store.epoch >= 0 && store.epoch <= 0xffffffff).toBe(true);
    });

    it('lists the records left with no link (orphans), across reopen', async ({ skip }) => {
      recordsOnly(skip);
      if (store.orphans === undefined) skip('the store keeps no record with no link');
      const { dir, children } = await dirWith(['kept', 'linked']);
      const unlinked = await store.transaction(async (tx) => {
        const rec = (await tx.getFile(children[0]!))!;
        await tx.removeEntry(dir, 'kept');
        const after = { ...rec, attr: { ...rec.attr, nlink: 0 } };
        await tx.putFile(after);
        return after;
      });
      expect(await store.orphans!()).toEqual([unlinked]);
      if (h.persistent) {
        await store.close();
        store = await h.open();
        expect(await store.orphans!()).toEqual([unlinked]);
      }
      await store.transaction((tx) => tx.deleteFile(unlinked.attr.fileid));
      expect(await store.orphans!()).toEqual([]);
    });

    describe('named streams', () => {
      /** Skips for a store that keeps no streams; the store's four stream methods otherwise. */
      function streamsOf(skip: (note?: string) => void) {
        if (store.listStreams === undefined || store.getStream === undefined) skip('the store keeps no named streams');
        return { list: store.listStreams!.bind(store), get: store.getStream!.bind(store) };
      }

      it('stores, replaces (keeping the first spelling) and lists streams in creation order, across reopen', async ({
        skip,
      }) => {
        streamsOf(skip);
        const { children } = await dirWith(['f']);
        const id = children[0]!;
        await store.transaction(async (tx) => {
          await tx.putStream!(id, 'AFP_AfpInfo', Buffer.from('finder'));
          await tx.putStream!(id, 'Zone.Identifier', Buffer.from('[ZoneTransfer]'));
          await tx.putStream!(id, 'afp_afpinfo', Buffer.from('finder info 2'));
        });
        const expected = [
          { name: 'AFP_AfpInfo', size: 13 },
          { name: 'Zone.Identifier', size: 14 },
        ];
        expect(await store.listStreams!(id)).toEqual(expected);
        expect(await store.getStream!(id, 'AFP_AFPINFO')).toEqual({
          name: 'AFP_AfpInfo',
          data: Buffer.from('finder info 2'),
        });
        expect(await store.getStream!(id, 'missing')).toBeUndefined();
        if (h.persistent) {
          await store.close();
          store = await h.open();
          expect(await store.listStreams!(id)).toEqual(expected);
          expect((await store.getStream!(id, 'zone.identifier'))?.data).toEqual(Buffer.from('[ZoneTransfer]'));
        }
      });

      it('deletes one stream, and all of them with their file; a rolled back put leaves none', async ({ skip }) => {
        streamsOf(skip);
        const { dir, children } = await dirWith(['a', 'b']);
        const [a, b] = children as [number, number];
        await store.transaction(async (tx) => {
          await tx.putStream!(a, 'one', Buffer.from('1'));
          await tx.putStream!(a, 'two', Buffer.from('22'));
          await tx.putStream!(b, 'kept', Buffer.alloc(0));
        });
        expect(await store.transaction((tx) => tx.deleteStream!(a, 'ONE'))).toBe(true);
        expect(await store.transaction((tx) => tx.deleteStream!(a, 'one'))).toBe(false);
        expect(await store.listStreams!(a)).toEqual([{ name: 'two', size: 2 }]);
        await expect(
          store.transaction(async (tx) => {
            await tx.putStream!(b, 'lost', Buffer.from('x'));
            throw new DittoError('IO', 'rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect(await store.listStreams!(b)).toEqual([{ name: 'kept', size: 0 }]);
        await store.transaction(async (tx) => {
          await tx.removeEntry(dir, 'a');
          await tx.deleteFile(a);
        });
        expect(await store.listStreams!(a)).toEqual([]);
        expect(await store.getStream!(a, 'two')).toBeUndefined();
      });
    });

    it('rejects transactions after close', async () => {
      await store.close();
      await expect(store.transaction(async () => 1)).rejects.toThrow();
      store = await h.open();
    });

    describe('persistence', () => {
      it('keeps records, entries, roots, counters and the epoch across close and reopen', async ({ skip }) => {
        if (!h.persistent) skip();
        const { dir, children } = await dirWith(['one', 'two', 'three']);
        const lastCookie = (await store.listDir(dir, 0, 10))[2]!.cookie;
        await store.transaction(async (tx) => {
          await tx.setRoot('/export', dir);
          await tx.removeEntry(dir, 'three');
          await tx.deleteFile(children[2]!);
        });
        const rec = await store.getFile(children[0]!);
        const listing = await store.listDir(dir, 0, 10);
        const epoch = store.epoch;
        await store.close();

        store = await h.open();
        expect(store.epoch).toBe(epoch);
        expect(await store.getFile(children[0]!)).toEqual(rec);
        expect((await store.getFile(children[0]!))?.generation).toBe(rec?.generation);
        await expectRoot('/export', dir);
        expect(await store.listDir(dir, 0, 10)).toEqual(listing);
        // The deleted highest fileid and the last cookie are not handed out again.
        const next = await create(sampleRecord());
        expect(next).toBeGreaterThan(children[2]!);
        const cookie = await store.transaction((tx) => tx.addEntry(dir, 'four', next));
        expect(cookie).toBeGreaterThan(lastCookie);
      });
    });
  });
}
