import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DittoError, isDittoError } from '../../shared/errors.ts';
import type { BlockRange, BlockStore, BlockStoreStats } from './blockstore.ts';
import { BLOCK_SIZE, CHUNK_SIZE } from './layout.ts';
import { PayloadService } from './service.ts';
import type { DirectContent } from './types.ts';
import { FsBlockStore } from './stores/fs/fs-store.ts';
import { MemoryBlockStore } from './stores/memory/memory-store.ts';

const MiB = 1024 * 1024;
const SHARE = '/export';

/** Delegates to a real store, recording gets and letting a test fail puts. */
class SpyStore implements BlockStore {
  gets: Array<{ key: string; offset: number | undefined; length: number | undefined; result: Buffer | undefined }> = [];
  failPuts = false;
  onPut: () => void = () => {};

  patches: string[] = [];
  /** Offered only when asked for: without it the cache reads and rewrites whole blocks. */
  readonly patch?: (key: string, ranges: readonly BlockRange[]) => Promise<void>;
  readonly writeThrough: boolean;

  constructor(
    readonly inner: BlockStore,
    mode: Mode = 'whole',
  ) {
    const patch = inner.patch?.bind(inner);
    this.writeThrough = mode === 'write-through';
    if (mode !== 'whole' && patch !== undefined) {
      this.patch = async (key, ranges) => {
        this.onPut();
        if (this.failPuts) throw new DittoError('IO', 'injected');
        this.patches.push(key);
        return patch(key, ranges);
      };
    }
  }

  async put(key: string, data: Buffer): Promise<void> {
    this.onPut();
    if (this.failPuts) throw new DittoError('IO', 'injected');
    return this.inner.put(key, data);
  }
  async get(key: string, offset?: number, length?: number, into?: Buffer): Promise<Buffer | undefined> {
    const result = await this.inner.get(key, offset, length, into);
    this.gets.push({ key, offset, length, result });
    return result;
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  deletePrefix(prefix: string): Promise<void> {
    return this.inner.deletePrefix(prefix);
  }
  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }
  sync(prefix?: string): Promise<void> {
    return this.inner.sync(prefix);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  stats(): Promise<BlockStoreStats> {
    return this.inner.stats();
  }
}

/** How the store is offered to the service: whole puts only, with patch, or write-through. */
type Mode = 'whole' | 'patch' | 'write-through';

interface Backend {
  name: string;
  open(): Promise<BlockStore>;
  /** The same content seen through a freshly opened store (what a restart sees). */
  reopen(store: BlockStore): Promise<BlockStore>;
}

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const stores: Backend[] = [
  { name: 'memory', open: async () => new MemoryBlockStore(), reopen: async (store) => store },
  {
    name: 'fs',
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dittofs-payload-'));
      dirs.push(dir);
      return FsBlockStore.open(dir);
    },
    reopen: async (store) => {
      await store.close();
      return FsBlockStore.open((store as FsBlockStore).root);
    },
  },
];

const backends = stores.flatMap((b) => [
  { ...b, mode: 'whole' as Mode, label: b.name },
  { ...b, mode: 'patch' as Mode, label: `${b.name} (patch)` },
  ...(b.name === 'fs' ? [{ ...b, mode: 'write-through' as Mode, label: `${b.name} (write-through)` }] : []),
]);

async function codeOf(op: Promise<unknown>): Promise<unknown> {
  const err = await op.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isDittoError(err) ? err.code : err;
}

async function keysOf(store: BlockStore, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.list(prefix)) keys.push(key);
  return keys.sort();
}

describe.each(backends)('PayloadService over the $label store', (backend) => {
  /** Tests of the write-back buffering, which a write-through store does not get. */
  const buffered = it.skipIf(backend.mode === 'write-through');
  let store: SpyStore;
  let svc: PayloadService;
  let seq = 0;
  let id: string;

  function service(options: { dirtyLimitBytes?: number } = {}): PayloadService {
    const s = new PayloadService(options);
    s.registerShare(SHARE, store);
    return s;
  }

  async function expectContent(expected: Buffer, s = svc, payload = id): Promise<void> {
    const got = await s.readAt(SHARE, payload, 0, expected.length);
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
  }

  beforeEach(async () => {
    store = new SpyStore(await backend.open(), backend.mode);
    svc = service();
    id = `file-${++seq}`;
  });
  afterEach(async () => {
    await svc.close();
    await store.close();
  });

  it('round-trips sizes across block boundaries, whole and in odd pieces', async () => {
    for (const size of [0, 1, 4095, 4096, MiB, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 9 * MiB]) {
      const data = randomBytes(size);
      const whole = `${id}-whole-${size}`;
      const pieces = `${id}-pieces-${size}`;
      await svc.writeAt(SHARE, whole, data, 0);
      for (let pos = 0; pos < size; pos += 333_333) {
        await svc.writeAt(SHARE, pieces, data.subarray(pos, pos + 333_333), pos);
      }
      await expectContent(data, svc, whole);
      await expectContent(data, svc, pieces);
      await svc.flush(SHARE, whole);
      await svc.flush(SHARE, pieces);
      await expectContent(data, svc, whole);
      for (let pos = 0; pos < size; pos += 777_777) {
        const part = await svc.readAt(SHARE, pieces, pos, Math.min(777_777, size - pos));
        expect(part.equals(data.subarray(pos, pos + 777_777))).toBe(true);
      }
      expect((await svc.readAt(SHARE, whole, size, 100)).equals(Buffer.alloc(100))).toBe(true);
    }
  });

  it('writes across the 64 MiB chunk boundary without writing the chunk', async () => {
    const data = randomBytes(100);
    const offset = CHUNK_SIZE - 10;
    await svc.writeAt(SHARE, id, data, offset);
    const check = async () => {
      expect((await svc.readAt(SHARE, id, offset, 100)).equals(data)).toBe(true);
      const around = await svc.readAt(SHARE, id, CHUNK_SIZE - 4096, 8192);
      expect(around.equals(Buffer.concat([Buffer.alloc(4086), data, Buffer.alloc(4006)]))).toBe(true);
    };
    await check();
    await svc.flush(SHARE, id);
    await check();
    expect(await keysOf(store)).toEqual([`${id}/0/15`, `${id}/1/0`]);
    expect(await store.stats()).toEqual({ blocks: 2, bytes: BLOCK_SIZE + 90 });
  });

  it('reads holes as zeros', async () => {
    const offset = 10 * MiB + 3;
    await svc.writeAt(SHARE, id, Buffer.from('hello'), offset);
    const expected = Buffer.alloc(11 * MiB);
    expected.write('hello', offset);
    await expectContent(expected);
    await svc.flush(SHARE, id);
    await expectContent(expected);
    expect((await store.stats()).blocks).toBe(1);
    expect((await svc.readAt(SHARE, 'never-written', 5 * MiB, MiB)).equals(Buffer.alloc(MiB))).toBe(true);
  });

  it('overwrites the middle of stored content', async () => {
    const data = randomBytes(9 * MiB);
    await svc.writeAt(SHARE, id, data, 0);
    await svc.flush(SHARE, id);
    const patch = randomBytes(MiB);
    await svc.writeAt(SHARE, id, patch, 3.5 * MiB);
    patch.copy(data, 3.5 * MiB);
    await expectContent(data);
    await svc.flush(SHARE, id);
    await expectContent(data, service());
  });

  buffered('fetches a partly rewritten stored block once, in one ranged get', async () => {
    const data = randomBytes(2 * MiB);
    await svc.writeAt(SHARE, id, data, 0);
    await svc.flush(SHARE, id);
    store.gets = [];
    await svc.writeAt(SHARE, id, Buffer.from('patch'), MiB);
    data.write('patch', MiB);
    expect((await svc.readAt(SHARE, id, MiB, 5)).toString()).toBe('patch');
    expect(store.gets).toEqual([]);
    await expectContent(data);
    await expectContent(data);
    await svc.flush(SHARE, id);
    expect(store.gets.map(({ key, offset, length }) => ({ key, offset, length }))).toEqual([
      { key: `${id}/0/0`, offset: 0, length: BLOCK_SIZE },
    ]);
    await expectContent(data);
  });

  it('writes small changes to stored blocks in place, without reading the blocks, when the store can patch', async () => {
    const data = randomBytes(2 * BLOCK_SIZE);
    await svc.writeAt(SHARE, id, data, 0);
    await svc.flush(SHARE, id);
    store.gets = [];
    store.patches = [];
    for (const pos of [10, 5000, BLOCK_SIZE + 3, 2 * BLOCK_SIZE - 4096]) {
      const bytes = randomBytes(4096);
      bytes.copy(data, pos);
      await svc.writeAt(SHARE, id, bytes, pos);
    }
    await svc.flush(SHARE, id);
    // Without patch, each block is read once to be rewritten whole.
    expect(store.gets).toHaveLength(backend.mode === 'whole' ? 2 : 0);
    // Buffered, a block's ranges go in one patch; write-through, each write is one.
    const patched = backend.mode === 'write-through' ? [0, 0, 1, 1] : backend.mode === 'patch' ? [0, 1] : [];
    expect(store.patches.sort()).toEqual(patched.map((block) => `${id}/0/${block}`));
    await expectContent(data, service());
  });

  it('reads into a buffer the caller lends, where the store copies', async () => {
    const data = randomBytes(BLOCK_SIZE + MiB);
    await svc.writeAt(SHARE, id, data, 0);
    await svc.flush(SHARE, id);
    for (const [offset, length] of [
      [10, 4096],
      [BLOCK_SIZE - 100, MiB], // across a block boundary
      [BLOCK_SIZE + MiB - 10, 100], // past the end: zeros
    ] as const) {
      const into = Buffer.alloc(MiB + 7, 0xee);
      const got = await svc.readAt(SHARE, id, offset, length, into);
      const want = Buffer.alloc(length);
      data.copy(want, 0, offset, offset + length);
      expect(got.equals(want)).toBe(true);
      if (backend.name === 'fs') expect(got.buffer).toBe(into.buffer);
    }
    expect(await codeOf(svc.readAt(SHARE, id, 0, 100, Buffer.alloc(99)))).toBe('INVALID_ARGUMENT');
  });

  it('reads a range of a clean block with one exact get and no copy', async () => {
    await svc.writeAt(SHARE, id, randomBytes(9 * MiB), 0);
    await svc.flush(SHARE, id);
    store.gets = [];
    const got = await svc.readAt(SHARE, id, 5 * MiB + 12, MiB);
    expect(store.gets.map(({ key, offset, length }) => ({ key, offset, length }))).toEqual([
      { key: `${id}/0/1`, offset: MiB + 12, length: MiB },
    ]);
    expect(got).toBe(store.gets[0]!.result);
  });

  it('truncates down, then an extension reads zeros', async () => {
    const data = randomBytes(9 * MiB);
    await svc.writeAt(SHARE, id, data, 0);
    await svc.flush(SHARE, id);
    const size = 5 * MiB + 3;
    await svc.truncate(SHARE, id, size);
    const expected = Buffer.alloc(9 * MiB);
    data.copy(expected, 0, 0, size);
    await expectContent(expected);
    await svc.writeAt(SHARE, id, Buffer.from([7]), 8 * MiB);
    expected[8 * MiB] = 7;
    await expectContent(expected);
    await svc.flush(SHARE, id);
    await expectContent(expected, service());
    expect(await store.stats()).toEqual({ blocks: 3, bytes: BLOCK_SIZE + MiB + 3 + 1 });

    await svc.truncate(SHARE, id, 20 * MiB);
    expected.fill(0, 8 * MiB);
    await svc.truncate(SHARE, id, 8 * MiB);
    await expectContent(expected);
    await svc.truncate(SHARE, id, 0);
    expect(await store.stats()).toEqual({ blocks: 0, bytes: 0 });
    await expectContent(Buffer.alloc(9 * MiB));
  });

  it('truncates content that is still dirty', async () => {
    const data = randomBytes(6 * MiB);
    await svc.writeAt(SHARE, id, data, 0);
    await svc.truncate(SHARE, id, MiB + 5);
    await svc.writeAt(SHARE, id, Buffer.from('x'), 2 * MiB);
    const expected = Buffer.alloc(6 * MiB);
    data.copy(expected, 0, 0, MiB + 5);
    expected.write('x', 2 * MiB);
    await expectContent(expected);
    await svc.flush(SHARE, id);
    await expectContent(expected, service());
    expect(await keysOf(store)).toEqual([`${id}/0/0`]);
  });

  it('persists flushed content for a fresh service over a reopened store', async () => {
    const data = randomBytes(9 * MiB + 17);
    await svc.writeAt(SHARE, id, data, 0);
    await svc.writeAt(SHARE, id, Buffer.from('tail'), CHUNK_SIZE + 5);
    await svc.flush(SHARE, id);
    await svc.close();
    const reopened = await backend.reopen(store.inner);
    store = new SpyStore(reopened);
    svc = service();
    await expectContent(data);
    expect((await svc.readAt(SHARE, id, CHUNK_SIZE + 5, 4)).toString()).toBe('tail');
  });

  it('deletes every block of a payload, dirty or stored', async () => {
    await svc.writeAt(SHARE, id, randomBytes(9 * MiB), 0);
    await svc.flush(SHARE, id);
    await svc.writeAt(SHARE, id, randomBytes(MiB), 20 * MiB);
    await svc.writeAt(SHARE, 'other', Buffer.from('keep'), 0);
    await svc.delete(SHARE, id);
    expect(await keysOf(store, `${id}/`)).toEqual([]);
    expect((await svc.readAt(SHARE, id, 0, 21 * MiB)).equals(Buffer.alloc(21 * MiB))).toBe(true);
    await svc.delete(SHARE, 'other');
    expect(await store.stats()).toEqual({ blocks: 0, bytes: 0 });
    expect(svc.stats().dirtyBytes).toBe(0);
  });

  it('leaves nothing behind when deleting during write-back', async () => {
    await svc.writeAt(SHARE, id, randomBytes(3 * BLOCK_SIZE), 0);
    await svc.delete(SHARE, id);
    expect(await store.stats()).toEqual({ blocks: 0, bytes: 0 });
    expect(svc.stats().dirtyBytes).toBe(0);
  });

  it('writes complete blocks back before any flush', async () => {
    await svc.writeAt(SHARE, id, randomBytes(BLOCK_SIZE), BLOCK_SIZE);
    await vi.waitFor(async () => expect(await keysOf(store)).toEqual([`${id}/0/1`]));
    expect(svc.stats().dirtyBytes).toBe(0);
  });

  buffered('keeps dirty memory under its bound through a 200 MiB sequential write', async () => {
    const limit = 8 * MiB;
    svc = service({ dirtyLimitBytes: limit });
    let peak = 0;
    store.onPut = () => (peak = Math.max(peak, svc.stats().dirtyBytes));
    const chunk = randomBytes(MiB);
    for (let i = 0; i < 200; i++) {
      chunk.writeUInt32BE(i, 0);
      await svc.writeAt(SHARE, id, chunk, i * MiB);
      peak = Math.max(peak, svc.stats().dirtyBytes);
    }
    await svc.flush(SHARE, id);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(limit);
    expect(svc.stats()).toEqual({ dirtyBytes: 0, dirtyLimitBytes: limit });
    for (const i of [0, 77, 199]) {
      chunk.writeUInt32BE(i, 0);
      expect((await svc.readAt(SHARE, id, i * MiB, MiB)).equals(chunk)).toBe(true);
    }
    await svc.delete(SHARE, id);
  });

  buffered('writes back partial blocks, oldest first, when the bound is reached', async () => {
    const limit = 2 * BLOCK_SIZE;
    svc = service({ dirtyLimitBytes: limit });
    for (let i = 0; i < 12; i++) {
      await svc.writeAt(SHARE, id, Buffer.from(`block ${i}`), i * BLOCK_SIZE + 100);
      expect(svc.stats().dirtyBytes).toBeLessThanOrEqual(limit);
    }
    expect((await store.stats()).blocks).toBe(10);
    for (let i = 0; i < 12; i++) {
      const got = await svc.readAt(SHARE, id, i * BLOCK_SIZE, 200);
      expect(got.subarray(100, 100 + `block ${i}`.length).toString()).toBe(`block ${i}`);
      expect(got.subarray(0, 100).equals(Buffer.alloc(100))).toBe(true);
    }
  });

  it('lands concurrent writes to distinct ranges of one block', async () => {
    const base = randomBytes(100_000);
    await svc.writeAt(SHARE, id, base, 0);
    await svc.flush(SHARE, id);
    const expected = Buffer.alloc(BLOCK_SIZE);
    base.copy(expected);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 64; i++) {
      const piece = randomBytes(4096);
      const offset = (i % 2 === 0 ? i : 127 - i) * 8192 + 1000;
      piece.copy(expected, offset);
      writes.push(svc.writeAt(SHARE, id, piece, offset));
      if (i === 32) writes.push(svc.flush(SHARE, id));
    }
    await Promise.all(writes);
    const end = 126 * 8192 + 1000 + 4096;
    await expectContent(expected.subarray(0, end));
    await svc.flush(SHARE, id);
    await expectContent(expected.subarray(0, end), service());
  });

  it('matches a plain buffer under a random mix of operations', async () => {
    svc = service({ dirtyLimitBytes: 2 * BLOCK_SIZE });
    const space = CHUNK_SIZE + 2 * BLOCK_SIZE;
    const model = Buffer.alloc(space + 2 * BLOCK_SIZE);
    let size = 0;
    // A fixed-seed generator (mulberry32), so a failure replays.
    let seed = 0x5eed;
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    for (let step = 0; step < 120; step++) {
      const op = rand(10);
      if (op < 6) {
        const offset = rand(2) ? rand(space) : rand(size + 1);
        const piece = randomBytes(1 + rand(rand(2) ? 4096 : BLOCK_SIZE + 4096));
        piece.copy(model, offset);
        size = Math.max(size, offset + piece.length);
        await svc.writeAt(SHARE, id, piece, offset);
      } else if (op < 7) {
        size = rand(size + 1);
        model.fill(0, size);
        await svc.truncate(SHARE, id, size);
      } else if (op < 8) {
        await svc.flush(SHARE, id);
      } else {
        const offset = rand(size + 1);
        const length = rand(Math.min(size - offset, 3 * BLOCK_SIZE) + 1);
        const got = await svc.readAt(SHARE, id, offset, length);
        expect(got.equals(model.subarray(offset, offset + length))).toBe(true);
      }
    }
    await svc.flush(SHARE, id);
    await expectContent(model.subarray(0, size), service());
  });

  buffered('keeps content dirty when a write-back fails, and flushes it later', async () => {
    const data = randomBytes(BLOCK_SIZE + 10);
    store.failPuts = true;
    await svc.writeAt(SHARE, id, data, 0);
    expect(await codeOf(svc.flush(SHARE, id))).toBe('IO');
    await expectContent(data);
    store.failPuts = false;
    await svc.flush(SHARE, id);
    await expectContent(data, service());
  });

  it('does not leak bytes from reused buffers', async () => {
    await svc.writeAt(SHARE, 'noisy', randomBytes(BLOCK_SIZE), 0);
    await svc.flush(SHARE, 'noisy');
    await svc.writeAt(SHARE, id, Buffer.from('x'), 100);
    const expected = Buffer.alloc(BLOCK_SIZE);
    expected.write('x', 100);
    await svc.truncate(SHARE, id, 50);
    await svc.writeAt(SHARE, id, Buffer.from('y'), 200);
    expected[100] = 0;
    expected.write('y', 200);
    await expectContent(expected);
    await svc.flush(SHARE, id);
    expect((await store.inner.get(`${id}/0/0`))?.length).toBe(201);
    await expectContent(expected);
  });

  it('flushes on unregister and then refuses the share', async () => {
    await svc.writeAt(SHARE, id, Buffer.from('dirty'), 0);
    await svc.unregisterShare(SHARE);
    expect((await store.get(`${id}/0/0`))?.toString()).toBe('dirty');
    expect(await codeOf(svc.readAt(SHARE, id, 0, 1))).toBe('STALE_HANDLE');
    svc.registerShare(SHARE, store);
    expect(() => svc.registerShare(SHARE, store)).toThrow(DittoError);
  });

  it.runIf(backend.mode === 'write-through')(
    'sends writes straight to the store, holding no block memory',
    async () => {
      const data = randomBytes(BLOCK_SIZE + MiB);
      await svc.writeAt(SHARE, id, data.subarray(0, 3 * MiB), 0);
      await svc.writeAt(SHARE, id, data.subarray(3 * MiB), 3 * MiB);
      expect(svc.stats().dirtyBytes).toBe(0);
      expect(store.patches).toEqual([`${id}/0/0`, `${id}/0/0`, `${id}/0/1`]);
      // Visible in the store before any flush; the flush makes it durable.
      await expectContent(data, service());
      await svc.flush(SHARE, id);
      const reopened = await backend.reopen(store.inner);
      store = new SpyStore(reopened, backend.mode);
      await expectContent(data, service());
    },
  );

  it.runIf(backend.mode === 'write-through')('rejects a write the store fails, then takes the next', async () => {
    store.failPuts = true;
    expect(await codeOf(svc.writeAt(SHARE, id, Buffer.from('lost'), 0))).toBe('IO');
    store.failPuts = false;
    await svc.writeAt(SHARE, id, Buffer.from('kept'), 0);
    await svc.flush(SHARE, id);
    await expectContent(Buffer.from('kept'));
  });

  it('rejects bad arguments', async () => {
    expect(await codeOf(svc.readAt(SHARE, id, -1, 1))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(svc.readAt(SHARE, id, 0.5, 1))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(svc.writeAt(SHARE, id, Buffer.from('x'), Number.MAX_SAFE_INTEGER))).toBe('FILE_TOO_LARGE');
    expect(await codeOf(svc.truncate(SHARE, id, -5))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(svc.writeAt(SHARE, '', Buffer.from('x'), 0))).toBe('INVALID_ARGUMENT');
    expect(() => new PayloadService({ dirtyLimitBytes: MiB })).toThrow(DittoError);
  });
});

describe('PayloadService with a share that keeps its own content (a folder share)', () => {
  /** Records calls; content by payloadId in memory. */
  class Direct implements DirectContent {
    calls: string[] = [];
    files = new Map<string, Buffer>();
    async readAt(payloadId: string, offset: number, length: number): Promise<Buffer> {
      this.calls.push(`read ${payloadId} ${offset} ${length}`);
      return (this.files.get(payloadId) ?? Buffer.alloc(0)).subarray(offset, offset + length);
    }
    async writeAt(payloadId: string, data: Buffer, offset: number): Promise<void> {
      this.calls.push(`write ${payloadId} ${offset} ${data.length}`);
      const cur = this.files.get(payloadId) ?? Buffer.alloc(0);
      const next = Buffer.alloc(Math.max(cur.length, offset + data.length));
      cur.copy(next);
      data.copy(next, offset);
      this.files.set(payloadId, next);
    }
    async truncate(payloadId: string, size: number): Promise<void> {
      this.calls.push(`truncate ${payloadId} ${size}`);
    }
    async flush(payloadId: string): Promise<void> {
      this.calls.push(`flush ${payloadId}`);
    }
    async delete(payloadId: string): Promise<void> {
      this.calls.push(`delete ${payloadId}`);
    }
  }

  it('sends every operation of the share to it, checked as for any share, and none to the block cache', async () => {
    const svc = new PayloadService();
    const direct = new Direct();
    svc.registerDirectShare('/photos', direct);
    await svc.writeAt('/photos', '42', Buffer.from('hello'), 3);
    expect((await svc.readAt('/photos', '42', 3, 5)).toString()).toBe('hello');
    await svc.truncate('/photos', '42', 1);
    await svc.flush('/photos', '42');
    await svc.delete('/photos', '42');
    expect(direct.calls).toEqual(['write 42 3 5', 'read 42 3 5', 'truncate 42 1', 'flush 42', 'delete 42']);
    expect(svc.stats().dirtyBytes).toBe(0);
    expect(await codeOf(svc.readAt('/photos', '42', -1, 1))).toBe('INVALID_ARGUMENT');
    expect(() => svc.registerDirectShare('/photos', direct)).toThrow(DittoError);
    expect(() => svc.registerShare('/photos', new MemoryBlockStore())).toThrow(DittoError);
    await svc.unregisterShare('/photos');
    expect(await codeOf(svc.readAt('/photos', '42', 0, 1))).toBe('STALE_HANDLE');
    svc.registerShare('/photos', new MemoryBlockStore());
    await svc.close();
  });

  it('releases content in the background; the share goes only once the deletion is done', async () => {
    const svc = new PayloadService();
    let finish = (): void => undefined;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const direct = new Direct();
    direct.delete = async (payloadId) => {
      await gate;
      direct.calls.push(`delete ${payloadId}`);
    };
    svc.registerDirectShare('/photos', direct);
    const released = svc.release('/photos', '7');
    let unregistered = false;
    const gone = svc.unregisterShare('/photos').then(() => (unregistered = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(direct.calls).toEqual([]);
    expect(unregistered).toBe(false);
    finish();
    await released;
    await gone;
    expect(direct.calls).toEqual(['delete 7']);
    expect(unregistered).toBe(true);
  });
});
