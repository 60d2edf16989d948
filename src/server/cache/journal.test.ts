// The journal behind a PayloadService on a real filesystem block store: what COMMIT costs,
// what a crash keeps, and the large-write bypass.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it, vi } from 'vitest';
import { quickLogWrites } from '../payload/quick-io.ts';
import { journalFixture, pattern } from './testing.ts';
import { decodeRecord, RecordKind } from './wal/record.ts';

const MiB = 1024 * 1024;
const fixture = journalFixture();
const { start } = fixture;

/** Byte equality without a diff of megabytes when it fails. */
const same = (a: Buffer, b: Buffer): boolean => a.equals(b);

/** The kinds of the records in the log, in log order. */
async function loggedKinds(): Promise<number[]> {
  const wal = path.join(fixture.dir, 'wal');
  const kinds: number[] = [];
  for (const file of (await readdir(wal)).sort()) {
    const buf = await readFile(path.join(wal, file));
    for (let at = 0, r = decodeRecord(buf, 0); 'record' in r; at += r.size, r = decodeRecord(buf, at)) {
      kinds.push(r.record.kind);
    }
  }
  return kinds;
}

it('small files: COMMITs share one log fsync and touch no block file', async () => {
  const { payload, journal, syncs } = await start();
  const before = journal.stats().syncs;
  await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      await payload.writeAt('/s', `file-${i}`, pattern(i, 4096), 0);
      await payload.flush('/s', `file-${i}`);
    }),
  );
  expect(journal.stats().syncs - before).toBeLessThanOrEqual(3);
  expect(syncs()).toBe(0);
  expect(same(await payload.readAt('/s', 'file-7', 0, 4096), pattern(7, 4096))).toBe(true);
});

it('a carve of many small files syncs the block store once, then reclaims the log', async () => {
  const { payload, journal, store, syncs } = await start();
  for (let i = 0; i < 40; i++) await payload.writeAt('/s', `file-${i}`, pattern(i, 4096), 0);
  const prefixes: Array<string | undefined> = [];
  const sync = store.sync.bind(store);
  store.sync = (prefix) => {
    prefixes.push(prefix);
    return sync(prefix);
  };
  const before = syncs();
  await journal.drain();
  expect(syncs() - before).toBe(1);
  expect(prefixes).toEqual([undefined]); // the whole store: each shard directory fsynced once
  expect(journal.stats().bytes).toBe(0);
  expect(payload.slices.stats().dirtyBytes).toBe(0);
  expect(same((await store.get('file-7/0/0'))!, pattern(7, 4096))).toBe(true);
});

it('a crash before any carve loses no committed byte; uncommitted bytes never turn into others', async () => {
  const first = await start();
  await first.payload.writeAt('/s', 'a', pattern(1, 100_000), 0);
  await first.payload.writeAt('/s', 'a', pattern(2, 5000), 50_000); // overwrite inside
  await first.payload.writeAt('/s', 'b', pattern(3, 3 * MiB), 5 * MiB - 10); // large: straight to its blocks, across two
  await first.payload.truncate('/s', 'a', 80_000);
  await first.payload.flush('/s', 'a');
  await first.payload.flush('/s', 'b');
  // "Crash": the first server is simply abandoned; a new one opens the same directories.
  const second = await start();
  // a's two writes and its truncate; b's large write had no older record to mask: none for it.
  expect(second.journal.recovered.records).toBe(3);
  const expected = pattern(1, 100_000);
  pattern(2, 5000).copy(expected, 50_000);
  expect(same(await second.payload.readAt('/s', 'a', 0, 80_000), expected.subarray(0, 80_000))).toBe(true);
  expect(same(await second.payload.readAt('/s', 'a', 80_000, 100), Buffer.alloc(100))).toBe(true);
  expect(same(await second.payload.readAt('/s', 'b', 5 * MiB - 10, 3 * MiB), pattern(3, 3 * MiB))).toBe(true);
  // Served from the log until carved; then the store holds the bytes and the log is empty.
  expect(second.journal.stats().bytes).toBeGreaterThan(0);
  expect(second.payload.slices.stats().spilledBytes).toBe(80_000);
  await second.journal.drain();
  expect(second.journal.stats().bytes).toBe(0);
  expect(second.payload.slices.stats().spilledBytes).toBe(0);
  expect(same((await second.store.get('a/0/0'))!, expected.subarray(0, 80_000))).toBe(true);
  expect(same(await second.payload.readAt('/s', 'a', 0, 80_000), expected.subarray(0, 80_000))).toBe(true);
});

it("a recovered file's carve, through the store's first share, is ordered with its own share's truncate", async () => {
  const first = await start();
  for (let i = 0; i < 8; i++) await first.payload.writeAt('/s', 'x', pattern(i, 4096), i * 8192);
  await first.payload.flush('/s', 'x');
  const second = await start();
  // x is a file of /t, the second share on the store: the journal lends it to /s to carve.
  second.payload.registerShare('/t', second.store, second.journal);
  const patch = second.store.patch!.bind(second.store);
  second.store.patch = async (key, ranges) => {
    await new Promise((resolve) => setTimeout(resolve, 15));
    return patch(key, ranges);
  };
  const carving = second.journal.drain();
  await new Promise((resolve) => setTimeout(resolve, 25)); // the carve is writing x's runs
  await second.payload.truncate('/t', 'x', 100);
  await carving;
  // Not carved over the truncate: the block ends where the file does.
  expect((await second.store.get('x/0/0'))!.length).toBe(100);
  expect(
    same(await second.payload.readAt('/t', 'x', 0, 200), Buffer.concat([pattern(0, 100), Buffer.alloc(100)])),
  ).toBe(true);
  // The first share goes; the second still has its payloads.
  await second.payload.unregisterShare('/s');
  await second.payload.writeAt('/t', 'x', pattern(9, 50), 100);
  await second.payload.flush('/t', 'x');
  expect(same(await second.payload.readAt('/t', 'x', 100, 50), pattern(9, 50))).toBe(true);
});

it('a truncate is durable when answered, with no record in the log: a crash does not bring the cut bytes back into a later hole', async () => {
  const first = await start();
  await first.payload.writeAt('/s', 'a', pattern(1, 2 * MiB), 0); // large: straight to the blocks, no record
  await first.payload.flush('/s', 'a');
  await first.payload.truncate('/s', 'a', 1000);
  const second = await start(); // a crash once the truncate was answered
  await second.payload.writeAt('/s', 'a', pattern(2, 10), 150_000);
  const expected = Buffer.alloc(150_010);
  pattern(1, 1000).copy(expected);
  pattern(2, 10).copy(expected, 150_000);
  expect(same(await second.payload.readAt('/s', 'a', 0, 150_010), expected)).toBe(true);
});

it('deleting a payload syncs neither the log nor the store, and a crash after it brings none of its logged bytes back', async () => {
  const first = await start({ bypassBytes: 256 * 1024 });
  await first.payload.writeAt('/s', 'kept', pattern(1, 4096), 0);
  await first.payload.writeAt('/s', 'gone', pattern(2, 4096), 0); // logged
  await first.payload.writeAt('/s', 'gone', pattern(3, 512 * 1024), 8192); // large: straight to the blocks
  await first.payload.flush('/s', 'kept');
  await first.payload.flush('/s', 'gone');
  const logSyncs = first.journal.stats().syncs;
  const storeSyncs = first.syncs();
  await first.payload.delete('/s', 'gone');
  expect(first.journal.stats().syncs).toBe(logSyncs);
  expect(first.syncs()).toBe(storeSyncs);
  expect((await first.payload.readAt('/s', 'gone', 0, 4096)).equals(Buffer.alloc(4096))).toBe(true);
  expect((await loggedKinds()).at(-1)).toBe(RecordKind.truncate); // masks its records in a replay
  const second = await start(); // a crash after the delete (the process died; the OS kept what it wrote)
  await second.journal.drain();
  expect((await second.payload.readAt('/s', 'gone', 0, 4096)).equals(Buffer.alloc(4096))).toBe(true);
  expect(same(await second.payload.readAt('/s', 'kept', 0, 4096), pattern(1, 4096))).toBe(true);
});

it('after a crash, serves at once and carves in the background; a second crash before that carve loses nothing', async () => {
  const first = await start();
  for (let i = 0; i < 30; i++) {
    await first.payload.writeAt('/s', `f${i}`, pattern(i, 8192), 0);
    await first.payload.flush('/s', `f${i}`);
  }
  const second = await start();
  expect(second.journal.recovered).toEqual({ records: 30, bytes: 30 * 8192, payloads: 30 });
  // Written and committed while the recovered bytes are still only in the log: f3 half rewritten.
  await second.payload.writeAt('/s', 'f3', pattern(99, 4096), 4096);
  await second.payload.flush('/s', 'f3');
  const f3 = Buffer.concat([pattern(3, 8192).subarray(0, 4096), pattern(99, 4096)]);
  expect(same(await second.payload.readAt('/s', 'f3', 0, 8192), f3)).toBe(true);
  const third = await start({ carveDelayMs: 20 });
  expect(third.journal.recovered.records).toBe(31);
  expect(same(await third.payload.readAt('/s', 'f3', 0, 8192), f3)).toBe(true);
  // Nobody asks: the carve follows its quiet time once the share is bound.
  await vi.waitFor(() => expect(third.journal.stats().bytes).toBe(0), { timeout: 10_000, interval: 20 });
  expect(same((await third.store.get('f3/0/0'))!, f3)).toBe(true);
  expect(same((await third.store.get('f17/0/0'))!, pattern(17, 8192))).toBe(true);
});

it('large writes skip the log; a replay of older records does not bring back what they replaced', async () => {
  const first = await start({ bypassBytes: 256 * 1024 });
  await first.payload.writeAt('/s', 'f', pattern(1, 4096), 0);
  await first.payload.flush('/s', 'f');
  await first.journal.drain(); // carved into blocks (the record may still be in the log)
  const logBefore = first.journal.stats();
  await first.payload.writeAt('/s', 'f', pattern(9, 512 * 1024), 0);
  await first.payload.flush('/s', 'f');
  expect(first.journal.stats().bypassedBytes).toBe(512 * 1024);
  expect(first.journal.stats().bytes - logBefore.bytes).toBeLessThan(200); // an invalidation, no data
  const second = await start();
  expect(same(await second.payload.readAt('/s', 'f', 0, 512 * 1024), pattern(9, 512 * 1024))).toBe(true);
});

it('small writes into existing blocks of a file with nothing in the log go in place; COMMIT syncs them', async () => {
  const first = await start();
  await first.payload.writeAt('/s', 'vm', pattern(1, 2 * MiB), 0); // large: straight to block 0
  await first.payload.flush('/s', 'vm');
  const logBefore = first.journal.stats().bytes;
  const expected = pattern(1, 2 * MiB);
  for (let i = 0; i < 8; i++) {
    await first.payload.writeAt('/s', 'vm', pattern(10 + i, 4096), i * 256 * 1024 + 100);
    pattern(10 + i, 4096).copy(expected, i * 256 * 1024 + 100);
  }
  expect(first.journal.stats().bytes).toBe(logBefore); // nothing logged
  expect(first.payload.slices.stats().dirtyBytes).toBe(0);
  expect(same(await first.payload.readAt('/s', 'vm', 0, 2 * MiB), expected)).toBe(true);
  const syncsBefore = first.syncs();
  await first.payload.flush('/s', 'vm');
  expect(first.syncs()).toBeGreaterThan(syncsBefore);
  const second = await start(); // a crash after the COMMIT
  expect(same(await second.payload.readAt('/s', 'vm', 0, 2 * MiB), expected)).toBe(true);
});

it('small writes of a file with records in the log, or into a new block, are logged', async () => {
  const first = await start();
  await first.payload.writeAt('/s', 'f', pattern(1, 2 * MiB), 0); // block 0 exists
  await first.payload.flush('/s', 'f');
  const logBefore = first.journal.stats().bytes;
  await first.payload.writeAt('/s', 'f', pattern(2, 4096), 5 * MiB); // block 1 does not exist: logged
  const afterNew = first.journal.stats().bytes;
  expect(afterNew).toBeGreaterThan(logBefore + 4096);
  // Block 0 exists, but a replay of the file's records must not be able to undo this write.
  await first.payload.writeAt('/s', 'f', pattern(3, 4096), 8192);
  expect(first.journal.stats().bytes).toBeGreaterThan(afterNew + 4096);
  await first.payload.flush('/s', 'f');
  const second = await start();
  expect(same(await second.payload.readAt('/s', 'f', 8192, 4096), pattern(3, 4096))).toBe(true);
  expect(same(await second.payload.readAt('/s', 'f', 5 * MiB, 4096), pattern(2, 4096))).toBe(true);
});

it('a logged write over a large write that skipped the log survives a crash after COMMIT', async () => {
  const first = await start({ bypassBytes: 256 * 1024 });
  await first.payload.writeAt('/s', 'f', pattern(1, 4096), 2 * MiB); // a record of the file
  await first.payload.writeAt('/s', 'f', pattern(2, 512 * 1024), 0); // large: to the blocks
  await first.payload.writeAt('/s', 'f', pattern(3, 4096), 4096); // newer, logged
  await first.payload.flush('/s', 'f');
  const second = await start();
  expect(same(await second.payload.readAt('/s', 'f', 4096, 4096), pattern(3, 4096))).toBe(true);
  expect(same(await second.payload.readAt('/s', 'f', 0, 4096), pattern(2, 4096))).toBe(true);
  expect(same(await second.payload.readAt('/s', 'f', 2 * MiB, 4096), pattern(1, 4096))).toBe(true);
});

it('a COMMIT whose block sync fails leaves the in-place writes to the next COMMIT', async () => {
  const { payload, store, syncs } = await start();
  await payload.writeAt('/s', 'f', pattern(1, 2 * MiB), 0);
  await payload.flush('/s', 'f');
  await payload.writeAt('/s', 'f', pattern(2, 4096), 4096);
  const sync = store.sync.bind(store);
  store.sync = () => Promise.reject(new Error('disk gone'));
  await expect(payload.flush('/s', 'f')).rejects.toThrow('disk gone');
  store.sync = sync;
  const before = syncs();
  await payload.flush('/s', 'f');
  expect(syncs()).toBe(before + 1);
});

it("a large write's invalidation record is reclaimed by a carve of its own, leaving no backlog", async () => {
  const { payload, journal } = await start({ bypassBytes: 256 * 1024, carveDelayMs: 10 });
  // A record of the file (a new block), so the large write has one to mask.
  await payload.writeAt('/s', 'big', pattern(5, 4096), MiB);
  await payload.writeAt('/s', 'big', pattern(4, 512 * 1024), 0);
  await payload.flush('/s', 'big');
  expect(journal.stats().bypassedBytes).toBe(512 * 1024);
  // Nothing else is written: the carve scheduled by the flush alone must empty the log.
  await vi.waitFor(() => expect(journal.stats()).toMatchObject({ bytes: 0, carveBacklogFiles: 0 }), { timeout: 5000 });
});

it('carving moves dirty data into blocks and reclaims the log', async () => {
  const { payload, journal } = await start();
  for (let i = 0; i < 20; i++) await payload.writeAt('/s', 'seq', pattern(i, 64 * 1024), i * 64 * 1024);
  expect(payload.slices.stats().dirtyBytes).toBe(20 * 64 * 1024);
  expect(journal.stats().carveBacklogFiles).toBe(1);
  await journal.drain();
  expect(payload.slices.stats().dirtyBytes).toBe(0);
  expect(journal.stats()).toMatchObject({ bytes: 0, carveBacklogFiles: 0 });
  const back = await payload.readAt('/s', 'seq', 64 * 1024, 64 * 1024);
  expect(back).toEqual(pattern(1, 64 * 1024));
});

it('dirty data filling the memory cap makes writers wait for the carver, not grow', async () => {
  // Slices of 1 MiB and more are carved, not spilled: a stream goes into whole blocks.
  const { payload, journal } = await start({ bypassBytes: 0 }, 4 * MiB);
  let peak = 0;
  for (let i = 0; i < 16; i++) {
    await payload.writeAt('/s', `f${i % 4}`, pattern(i, MiB), Math.floor(i / 4) * MiB);
    peak = Math.max(peak, payload.slices.stats().bytes);
  }
  expect(peak).toBeLessThanOrEqual(4 * MiB);
  expect(journal.stats().carves).toBeGreaterThan(0);
  expect(payload.slices.stats().spilledBytes).toBe(0);
  expect(same(await payload.readAt('/s', 'f3', 3 * MiB, MiB), pattern(15, MiB))).toBe(true);
});

it('small files past the memory cap are spilled to the log, not carved: read back from it, then carved', async () => {
  const { payload, journal, store } = await start({}, 4 * MiB);
  let peak = 0;
  // 5 MiB of 4 KiB files, and one rewritten in part once spilled: its new bytes are a new slice.
  for (let i = 0; i < 1280; i++) {
    await payload.writeAt('/s', `f${i}`, pattern(i, 4096), 0);
    peak = Math.max(peak, payload.slices.stats().bytes);
  }
  await payload.writeAt('/s', 'f0', pattern(9999, 100), 1000);
  expect(peak).toBeLessThanOrEqual(4 * MiB);
  expect(journal.stats().carves).toBe(0); // the writers never waited for one
  expect(payload.slices.stats().spilledBytes).toBeGreaterThan(2 * MiB);
  expect(await store.get('f5/0/0')).toBeUndefined();
  const f0 = pattern(0, 4096);
  pattern(9999, 100).copy(f0, 1000);
  expect(same(await payload.readAt('/s', 'f0', 0, 4096), f0)).toBe(true);
  expect(same(await payload.readAt('/s', 'f1', 1000, 200), pattern(1, 4096).subarray(1000, 1200))).toBe(true);
  // A truncate drops what is spilled past the new size.
  await payload.truncate('/s', 'f2', 100);
  expect(same(await payload.readAt('/s', 'f2', 0, 200), Buffer.concat([pattern(2, 100), Buffer.alloc(100)]))).toBe(
    true,
  );
  // Reads while the carve runs (and reclaims the segments they read) still see every byte.
  const reads = Array.from({ length: 1280 }, async (_, i) =>
    i === 0 || i === 2 ? true : same(await payload.readAt('/s', `f${i}`, 0, 4096), pattern(i, 4096)),
  );
  await Promise.all([journal.drain(), ...reads]);
  expect((await Promise.all(reads)).every(Boolean)).toBe(true);
  expect(payload.slices.stats()).toMatchObject({ dirtyBytes: 0, spilledBytes: 0 });
  expect(journal.stats()).toMatchObject({ bytes: 0, carveBacklogFiles: 0 });
  expect(same((await store.get('f0/0/0'))!, f0)).toBe(true);
  expect(same((await store.get('f1279/0/0'))!, pattern(1279, 4096))).toBe(true);
});

// The limit is checked before each spill, which goes down to a quarter of the memory cap.
it.each([
  ['half the log', { logCapBytes: 6 * MiB }, 2048, 0, 3 * MiB],
  ['the memory cap', {}, 2048, 2 * MiB, 5 * MiB],
])('nothing is spilled past %s: the carve starts instead', async (_, options, files, above, upTo) => {
  const { payload, journal } = await start(options, 4 * MiB);
  let peak = 0;
  for (let i = 0; i < files; i++) {
    await payload.writeAt('/s', `f${i}`, pattern(i, 4096), 0);
    peak = Math.max(peak, payload.slices.stats().spilledBytes);
  }
  expect(peak).toBeGreaterThan(above);
  expect(peak).toBeLessThanOrEqual(upTo);
  expect(journal.stats().carves).toBeGreaterThan(0);
  expect(same(await payload.readAt('/s', 'f1000', 0, 4096), pattern(1000, 4096))).toBe(true);
});

it('spilled files committed before a crash are recovered from the log', async () => {
  const first = await start({}, 4 * MiB);
  for (let i = 0; i < 800; i++) await first.payload.writeAt('/s', `f${i}`, pattern(i, 4096), 0);
  await first.payload.flush('/s', 'f799');
  expect(first.payload.slices.stats().spilledBytes).toBeGreaterThan(0);
  const second = await start({}, 4 * MiB);
  for (const i of [0, 400, 799]) {
    expect(same(await second.payload.readAt('/s', `f${i}`, 0, 4096), pattern(i, 4096))).toBe(true);
  }
});

it('a full log with a store that cannot take the carve: writers wait, get NO_SPACE, and the owner is alerted until it drains', async () => {
  const events: string[] = [];
  const { payload, journal, store } = await start({
    logCapBytes: 64 * 1024,
    bypassBytes: 0,
    fullWaitMs: 300,
    onNoSpace: () => events.push('full'),
    onRoom: () => events.push('room'),
  });
  let down = true;
  const sync = store.sync.bind(store);
  store.sync = (prefix) => (down ? Promise.reject(new Error('store unreachable')) : sync(prefix));
  for (let i = 0; i < 7; i++) await payload.writeAt('/s', 'f', pattern(i, 8192), i * 8192);
  const started = performance.now();
  await expect(payload.writeAt('/s', 'f', pattern(9, 16384), 0)).rejects.toMatchObject({ code: 'NO_SPACE' });
  expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  expect(events).toEqual(['full']);
  expect(journal.stats().bytes).toBeLessThanOrEqual(64 * 1024);
  down = false;
  await journal.drain();
  expect(events).toEqual(['full', 'room']);
  await payload.writeAt('/s', 'f', pattern(9, 16384), 0);
  expect(same(await payload.readAt('/s', 'f', 16384, 8192), pattern(2, 8192))).toBe(true);
});

it("a logged write that reaches the log before a large write's invalidation is not masked by it after a crash", async () => {
  // Five 4 KiB records fill the log to 10 bytes short of its cap, one per segment: the
  // invalidation (33 bytes) waits for room, and the carve it asks for frees a segment at a time.
  const record = 32 + 1 + 4096;
  const { payload, journal } = await start({
    bypassBytes: 256 * 1024,
    logCapBytes: 5 * record + 10,
    segmentBytes: record + 50,
  });
  await payload.writeAt('/s', 'f', pattern(1, 4096), 2 * MiB); // a record of f: the large write gets an invalidation
  for (let i = 0; i < 4; i++) await payload.writeAt('/s', 'g', pattern(2, 4096), i * 4096);
  await payload.writeAt('/s', 'f', pattern(3, 256 * 1024), 0); // large: straight to the blocks
  const full = journal.stats().bytes;
  const committing = payload.flush('/s', 'f'); // its invalidation waits for room
  // A newer write into the large one's range, as soon as the carve has freed room for it.
  while (journal.stats().bytes >= full) await new Promise((resolve) => setImmediate(resolve));
  await payload.writeAt('/s', 'f', pattern(4, 4096), 4096);
  await committing;
  await payload.flush('/s', 'f');
  // The newer write went first in the log: a replay by position would mask it.
  expect(await loggedKinds()).toEqual([RecordKind.write, RecordKind.invalidateThrough]);
  const second = await start(); // a crash after both COMMITs
  expect(same(await second.payload.readAt('/s', 'f', 4096, 4096), pattern(4, 4096))).toBe(true);
  expect(same(await second.payload.readAt('/s', 'f', 0, 4096), pattern(3, 4096))).toBe(true);
});

it('a large write over bytes whose record has no LSN yet is logged, not masked by a stamp that misses it', async () => {
  // Nine 64 KiB records fill the log: f's small write waits for room, and the carve it asks
  // for writes its bytes into the blocks before the reclaim lets its record in.
  const record = 32 + 1 + 64 * 1024;
  const { payload } = await start({ bypassBytes: 256 * 1024, logCapBytes: 9 * record + 100, segmentBytes: 2 * record });
  for (let i = 0; i < 9; i++) await payload.writeAt('/s', 'g', pattern(i, 64 * 1024), i * 64 * 1024);
  let olderDone = false;
  const older = payload.writeAt('/s', 'f', pattern(1, 4096), 0).then(() => (olderDone = true));
  while (payload.slices.stats().dirtyBytes > 0) await new Promise((resolve) => setImmediate(resolve));
  expect(olderDone).toBe(false); // carved, and its record still waiting for room
  await payload.writeAt('/s', 'f', pattern(2, 256 * 1024), 0); // newer, over it
  await older;
  await payload.flush('/s', 'f');
  const second = await start(); // a crash after the COMMIT
  expect(same(await second.payload.readAt('/s', 'f', 0, 4096), pattern(2, 4096))).toBe(true);
});

it('an invalidation that could not be logged is logged by the next COMMIT', async () => {
  const { payload, journal, store } = await start({ bypassBytes: 256 * 1024 });
  await payload.writeAt('/s', 'g', pattern(1, 4096), 0);
  await payload.writeAt('/s', 'f', pattern(2, 4096), 0);
  // g cannot be carved: f's record is carved but stays in the log behind g's.
  const patch = store.patch!.bind(store);
  store.patch = (key, ranges) =>
    key.startsWith('g') ? Promise.reject(new Error('g unreachable')) : patch(key, ranges);
  await expect(journal.drain()).rejects.toThrow('g unreachable');
  await payload.writeAt('/s', 'f', pattern(3, 256 * 1024), 0); // large: straight to the blocks
  const full = vi
    .spyOn(quickLogWrites, 'write')
    .mockRejectedValue(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
  await expect(payload.flush('/s', 'f')).rejects.toMatchObject({ code: 'NO_SPACE' });
  full.mockRestore();
  await payload.flush('/s', 'f');
  const second = await start(); // a crash after the COMMIT that succeeded
  expect(same(await second.payload.readAt('/s', 'f', 0, 4096), pattern(3, 4096))).toBe(true);
});
