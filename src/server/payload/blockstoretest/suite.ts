/**
 * The block store conformance suite: every BlockStore implementation runs it unchanged (see
 * the *.test.ts files beside it). A new backend is done when it passes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDittoError } from '../../../shared/errors.ts';
import type { BlockStore } from '../blockstore.ts';

export interface BlockStoreHarness {
  /** A new, empty store. */
  open(): Promise<BlockStore>;
  /** Closes `store` and opens it again from what it persisted; absent for ephemeral stores. */
  reopen?(store: BlockStore): Promise<BlockStore>;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out.sort();
}

async function expectInvalid(op: Promise<unknown>): Promise<void> {
  const err = await op.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDittoError(err) ? err.code : err).toBe('INVALID_ARGUMENT');
}

export function runBlockStoreConformance(name: string, makeHarness: () => Promise<BlockStoreHarness>): void {
  describe(`block store conformance: ${name}`, () => {
    let h: BlockStoreHarness;
    let store: BlockStore;

    beforeEach(async () => {
      h ??= await makeHarness();
      store = await h.open();
    });
    afterEach(() => store.close());
    afterAll(() => h?.cleanup());

    it('returns what was put', async () => {
      for (const size of [0, 1, 4095, 4097, 65_537]) {
        const data = randomBytes(size);
        await store.put(`p/0/${size}`, data);
        expect((await store.get(`p/0/${size}`))?.equals(data)).toBe(true);
      }
    });

    it('serves ranges, shortened at the end of the block', async () => {
      const data = randomBytes(10_000);
      await store.put('p/0/0', data);
      const range = async (offset: number, length: number) => (await store.get('p/0/0', offset, length))!;
      expect((await range(0, 1)).equals(data.subarray(0, 1))).toBe(true);
      expect((await range(1234, 4321)).equals(data.subarray(1234, 5555))).toBe(true);
      expect((await range(9_990, 10)).equals(data.subarray(9_990))).toBe(true);
      expect((await range(9_990, 100)).equals(data.subarray(9_990))).toBe(true);
      expect((await range(10_000, 5)).length).toBe(0);
      expect((await range(20_000, 5)).length).toBe(0);
      expect((await range(500, 0)).length).toBe(0);
      expect((await store.get('p/0/0', 9_000))?.equals(data.subarray(9_000))).toBe(true);
    });

    it('reports an absent block as undefined', async () => {
      expect(await store.get('nothing/0/0')).toBeUndefined();
      expect(await store.get('nothing/0/0', 10, 10)).toBeUndefined();
      await store.delete('nothing/0/0');
    });

    it('replaces a block on overwrite', async () => {
      await store.put('p/0/0', randomBytes(5000));
      const smaller = randomBytes(100);
      await store.put('p/0/0', smaller);
      expect((await store.get('p/0/0'))?.equals(smaller)).toBe(true);
      expect(await store.stats()).toEqual({ blocks: 1, bytes: 100 });
    });

    it('serves the current block after every change, with reads in between', async () => {
      const seen = async (key: string) => (await store.get(key))?.toString();
      expect(await seen('r/0/0')).toBeUndefined();
      await store.put('r/0/0', Buffer.from('one'));
      expect(await seen('r/0/0')).toBe('one');
      await store.put('r/0/0', Buffer.from('two'));
      expect(await seen('r/0/0')).toBe('two');
      await store.patch?.('r/0/0', [{ offset: 0, data: Buffer.from('T') }]);
      if (store.patch) expect(await seen('r/0/0')).toBe('Two');
      await store.delete('r/0/0');
      expect(await seen('r/0/0')).toBeUndefined();
      await store.patch?.('r/0/0', [{ offset: 0, data: Buffer.from('new') }]);
      if (store.patch) expect(await seen('r/0/0')).toBe('new');
      await store.put('r/0/1', Buffer.from('x'));
      expect(await seen('r/0/1')).toBe('x');
      await store.deletePrefix('r/');
      expect(await seen('r/0/1')).toBeUndefined();
      await store.put('r/0/1', Buffer.from('y'));
      expect(await seen('r/0/1')).toBe('y');
      // Many blocks read once each: whatever the store keeps open per block stays bounded.
      await Promise.all(Array.from({ length: 300 }, (_, i) => store.put(`many/0/${i}`, Buffer.from(`b${i}`))));
      const got = await Promise.all(Array.from({ length: 300 }, (_, i) => seen(`many/0/${i}`)));
      expect(got).toEqual(Array.from({ length: 300 }, (_, i) => `b${i}`));
    });

    it('keeps its own copy of put data', async () => {
      const data = Buffer.alloc(64, 7);
      await store.put('p/0/0', data);
      data.fill(9);
      expect((await store.get('p/0/0'))?.equals(Buffer.alloc(64, 7))).toBe(true);
    });

    it('deletes one block', async () => {
      await store.put('p/0/0', Buffer.from('a'));
      await store.put('p/0/1', Buffer.from('b'));
      await store.delete('p/0/0');
      expect(await store.get('p/0/0')).toBeUndefined();
      expect(await collect(store.list('p/'))).toEqual(['p/0/1']);
      expect(await store.stats()).toEqual({ blocks: 1, bytes: 1 });
    });

    it('lists and deletes by plain string prefix', async () => {
      const keys = ['p1/0/0', 'p1/0/1', 'p1/1/0', 'p10/0/0', 'p2/0/0', 'q'];
      await Promise.all(keys.map((key) => store.put(key, Buffer.from(key))));
      expect(await collect(store.list(''))).toEqual(keys);
      expect(await collect(store.list('p1/'))).toEqual(['p1/0/0', 'p1/0/1', 'p1/1/0']);
      expect(await collect(store.list('p1'))).toEqual(['p1/0/0', 'p1/0/1', 'p1/1/0', 'p10/0/0']);
      expect(await collect(store.list('p1/0/'))).toEqual(['p1/0/0', 'p1/0/1']);
      expect(await collect(store.list('p1/0/1'))).toEqual(['p1/0/1']);
      expect(await collect(store.list('zz/'))).toEqual([]);

      await store.deletePrefix('p1/');
      expect(await collect(store.list(''))).toEqual(['p10/0/0', 'p2/0/0', 'q']);
      await store.deletePrefix('p');
      expect(await collect(store.list(''))).toEqual(['q']);
      expect(await store.stats()).toEqual({ blocks: 1, bytes: 1 });
      await store.deletePrefix('absent/');
    });

    it('keeps a key apart from keys below it', async () => {
      await store.put('n/a', Buffer.from('upper'));
      await store.put('n/a/b', Buffer.from('lower'));
      expect((await store.get('n/a'))?.toString()).toBe('upper');
      expect((await store.get('n/a/b'))?.toString()).toBe('lower');
      await store.deletePrefix('n/a/');
      expect(await collect(store.list('n/'))).toEqual(['n/a']);
    });

    it('reads into a lent buffer, or answers from its own memory', async () => {
      const data = randomBytes(10_000);
      await store.put('into/0/0', data);
      const into = Buffer.alloc(8000, 0xee);
      const got = await store.get('into/0/0', 5000, 8000, into);
      expect(got?.equals(data.subarray(5000))).toBe(true);
      if (got?.buffer === into.buffer) expect(got.byteOffset).toBe(into.byteOffset);
      expect(await store.get('into/0/1', 0, 10, into)).toBeUndefined();
    });

    it('holds full 4 MiB blocks', async () => {
      const data = randomBytes(4 * MiB);
      await store.put('big/0/0', data);
      expect((await store.get('big/0/0'))?.equals(data)).toBe(true);
      expect((await store.get('big/0/0', 4 * MiB - MiB / 2, MiB))?.equals(data.subarray(4 * MiB - MiB / 2))).toBe(true);
      expect(await store.stats()).toEqual({ blocks: 1, bytes: 4 * MiB });
    });

    it('patches ranges in place, creating the block if absent (patch is optional)', async () => {
      if (store.patch === undefined) return;
      const data = randomBytes(100_000);
      await store.put('pa/0/0', data);
      const a = randomBytes(4096);
      const b = randomBytes(10);
      await store.patch('pa/0/0', [
        { offset: 8192, data: a },
        { offset: 99_995, data: b },
      ]);
      const want = Buffer.concat([data.subarray(0, 99_995), b]);
      a.copy(want, 8192);
      expect((await store.get('pa/0/0'))?.equals(want)).toBe(true);

      await store.patch('pa/0/1', [{ offset: 5000, data: a }]);
      const fresh = (await store.get('pa/0/1'))!;
      expect(fresh.length).toBe(5000 + 4096);
      expect(fresh.subarray(0, 5000).equals(Buffer.alloc(5000))).toBe(true);
      expect(fresh.subarray(5000).equals(a)).toBe(true);
      expect(await collect(store.list('pa/'))).toEqual(['pa/0/0', 'pa/0/1']);
      await Promise.all([store.sync('pa/'), store.sync('pa/'), store.sync('other/')]);
      await store.sync();
      if (h.reopen) {
        store = await h.reopen(store);
        expect((await store.get('pa/0/0'))?.equals(want)).toBe(true);
        expect((await store.get('pa/0/1'))?.subarray(5000).equals(a)).toBe(true);
      }
    });

    it('keeps blocks it was told to sync ahead, and patched again meanwhile (syncAhead is optional)', async () => {
      if (store.patch === undefined) return;
      const first = randomBytes(64 * 1024);
      const second = randomBytes(4096);
      await store.patch('ahead/0/0', [{ offset: 0, data: first }]);
      store.syncAhead?.('ahead/0/0');
      store.syncAhead?.('never/0/0'); // nothing written there: a no-op
      await store.patch('ahead/0/0', [{ offset: 4096, data: second }]);
      await store.sync();
      second.copy(first, 4096);
      if (h.reopen) store = await h.reopen(store);
      expect((await store.get('ahead/0/0'))?.equals(first)).toBe(true);
      expect(await store.get('never/0/0')).toBeUndefined();
    });

    it('takes concurrent puts to different keys', async () => {
      const blocks = Array.from({ length: 32 }, () => randomBytes(256 * 1024));
      await Promise.all(blocks.map((data, i) => store.put(`c/${i % 4}/${i}`, data)));
      const read = await Promise.all(blocks.map((_, i) => store.get(`c/${i % 4}/${i}`)));
      read.forEach((data, i) => expect(data?.equals(blocks[i]!)).toBe(true));
      expect((await store.stats()).blocks).toBe(32);
    });

    it('never tears a block under concurrent puts to one key', async () => {
      const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(MiB, i + 1));
      await Promise.all(versions.map((data) => store.put('same/0/0', data)));
      const got = (await store.get('same/0/0'))!;
      expect(versions.some((v) => v.equals(got))).toBe(true);
    });

    it('rejects keys that are not block keys', async () => {
      const bad = ['', '/a', 'a/', 'a//b', '.', '..', '../x', 'a/../b', 'a/./b', 'A', 'a b', 'a\\b', 'a.b', 'a\0b'];
      bad.push('x'.repeat(201), Array.from({ length: 17 }, () => 'a').join('/'));
      for (const key of bad) {
        await expectInvalid(store.put(key, Buffer.from('x')));
        await expectInvalid(store.get(key));
        await expectInvalid(store.delete(key));
      }
      for (const prefix of ['../', '/', 'a//', 'A/']) {
        await expectInvalid(collect(store.list(prefix)));
        await expectInvalid(store.deletePrefix(prefix));
      }
      await expectInvalid(store.get('ok/0/0', -1, 1));
      await expectInvalid(store.get('ok/0/0', 0, 1.5));
      expect(await store.stats()).toEqual({ blocks: 0, bytes: 0 });
    });

    it('keeps blocks across close and reopen', async (ctx) => {
      if (h.reopen === undefined) ctx.skip();
      const data = randomBytes(3 * MiB + 7);
      await store.put('keep/1/15', data);
      await store.put('gone/0/0', Buffer.from('x'));
      await store.delete('gone/0/0');
      await store.sync();
      store = await h.reopen!(store);
      expect((await store.get('keep/1/15'))?.equals(data)).toBe(true);
      expect(await collect(store.list(''))).toEqual(['keep/1/15']);
      expect(await store.stats()).toEqual({ blocks: 1, bytes: data.length });
    });
  });
}
