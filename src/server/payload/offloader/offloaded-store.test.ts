// The offloader's own logic over a memory store as its remote: dedup, eviction and cold
// reads, NO_SPACE while the remote refuses uploads, resume after reopen, GC, read timeouts.
// The remote's outage is a memory store that throws while `down` (the real endpoint outage
// runs in e2e/nfs/offloader.test.ts against s3rver).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DittoError, isDittoError } from '../../../shared/errors.ts';
import { MemoryBlockStore } from '../stores/memory/memory-store.ts';
import type { OffloadOptions } from './offload-options.ts';
import { OffloadedBlockStore } from './offloaded-store.ts';

const MiB = 1024 * 1024;

class FlakyRemote extends MemoryBlockStore {
  down = false;
  hang = false;

  override async put(key: string, data: Buffer): Promise<void> {
    if (this.down) throw new DittoError('RETRY_LATER', 'endpoint unreachable');
    return super.put(key, data);
  }

  override async get(key: string, offset?: number, length?: number): Promise<Buffer | undefined> {
    if (this.hang) return new Promise(() => undefined);
    if (this.down) throw new DittoError('RETRY_LATER', 'endpoint unreachable');
    return super.get(key, offset, length);
  }
}

async function keys(store: MemoryBlockStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out;
}

const codeOf = (err: unknown): string | undefined => (isDittoError(err) ? err.code : undefined);

describe('OffloadedBlockStore', () => {
  const dirs: string[] = [];
  const open = (remote: MemoryBlockStore, options: Partial<OffloadOptions> = {}, dir?: string) => {
    const d = dir ?? mkdtempSync(path.join(tmpdir(), 'dittofs-offload-'));
    if (dir === undefined) dirs.push(d);
    return { store: OffloadedBlockStore.open(remote, d, { capBytes: 64 * MiB, ...options }), dir: d };
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('persisted: resolves once the contents under a prefix are uploaded, IO when the remote stays down', async () => {
    const remote = new FlakyRemote();
    const { store } = open(remote, { persistTimeoutMs: 300 });
    remote.down = true;
    const data = randomBytes(MiB);
    await store.put('a/0/0', data);
    await store.put('b/0/0', randomBytes(MiB));
    const err = await store.persisted('a/').catch((e: unknown) => e);
    expect(codeOf(err)).toBe('IO');
    expect((err as Error).message).toMatch(/1 blocks are not in S3 after 0.3 s/);
    remote.down = false;
    await store.drain(); // the uploads are retried after their backoff
    await store.persisted('a/');
    const hash = createHash('sha256').update(data).digest('hex');
    expect(await keys(remote)).toContain(`cas/${hash}`);
    await store.close();
  }, 10_000);

  it('uploads a partial block after a delay, and never a version the writer completed first', async () => {
    const remote = new MemoryBlockStore();
    const { store } = open(remote, { partialUploadDelayMs: 300 });
    const full = randomBytes(4 * MiB);
    await store.put('a/0/0', full.subarray(0, MiB)); // the first MiB, then the whole block
    await store.put('a/0/0', full);
    await store.put('b/0/0', randomBytes(1000)); // a small file: uploaded once the delay passed
    const hash = (b: Buffer) => `cas/${createHash('sha256').update(b).digest('hex')}`;
    await new Promise((r) => setTimeout(r, 100));
    expect(await keys(remote)).toEqual([hash(full)]);
    await new Promise((r) => setTimeout(r, 600));
    await store.drain();
    expect((await keys(remote)).sort()).toEqual([hash(full), hash((await store.get('b/0/0'))!)].sort());
    // The skipped version comes back if a key takes it again.
    await store.put('c/0/0', full.subarray(0, MiB));
    await store.drain();
    expect(await keys(remote)).toContain(hash(full.subarray(0, MiB)));
    await store.close();
  });

  it('GC deletes objects of the bucket the index does not know, once unknown for the grace period', async () => {
    const remote = new MemoryBlockStore();
    const { store } = open(remote);
    const live = randomBytes(MiB);
    await store.put('a/0/0', live);
    await store.drain();
    const stray = `cas/${'ab'.repeat(32)}`;
    await remote.put(stray, randomBytes(100)); // as a crash before the index knew it would leave
    expect((await store.gc(60_000)).blocks).toBe(0); // seen now: not yet past the grace period
    expect(await keys(remote)).toContain(stray);
    expect((await store.gc(0)).blocks).toBe(1);
    expect(await keys(remote)).toEqual([`cas/${createHash('sha256').update(live).digest('hex')}`]);
    await store.close();
  });

  it('stores the same content once, under its hash', async () => {
    const remote = new MemoryBlockStore();
    const { store } = open(remote);
    const data = randomBytes(MiB);
    await store.put('a/0/0', data);
    await store.put('b/0/0', data);
    await store.drain();
    const hash = createHash('sha256').update(data).digest('hex');
    expect(await keys(remote)).toEqual([`cas/${hash}`]);
    expect(store.offloadStats().dedupSavedBytes).toBe(MiB);
    expect((await store.get('b/0/0'))?.equals(data)).toBe(true);
    await store.close();
  });

  it('evicts uploaded blocks past its cap and reads them back from the remote', async () => {
    const remote = new MemoryBlockStore();
    const { store } = open(remote, { capBytes: 3 * MiB });
    const blocks = Array.from({ length: 6 }, () => randomBytes(MiB));
    for (const [i, b] of blocks.entries()) await store.put(`f/0/${i}`, b);
    await store.drain();
    expect(store.offloadStats().cacheUsedBytes).toBeLessThanOrEqual(3 * MiB);
    for (const [i, b] of blocks.entries()) expect((await store.get(`f/0/${i}`))?.equals(b)).toBe(true);
    await store.evictAll();
    expect(store.offloadStats().cacheUsedBytes).toBe(0);
    expect((await store.get('f/0/2', 10, 100))?.equals(blocks[2]!.subarray(10, 110))).toBe(true);
    await store.close();
  });

  it('fetches the next blocks ahead of a sequential reader', async () => {
    const remote = new MemoryBlockStore();
    const { store } = open(remote, { prefetchBlocks: 3 });
    for (let i = 0; i < 6; i++) await store.put(`f/0/${i}`, randomBytes(MiB));
    await store.drain();
    await store.evictAll();
    await store.get('f/0/0');
    await store.get('f/0/1'); // sequential: blocks 2, 3 and 4 are fetched ahead
    const deadline = Date.now() + 5000;
    while (store.offloadStats().cacheUsedBytes < 5 * MiB && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(store.offloadStats().cacheUsedBytes).toBe(5 * MiB);
    await store.close();
  });

  it('refuses writes with NO_SPACE once the cache is full of data the remote has not taken, then drains', async () => {
    const remote = new FlakyRemote();
    const problems: (string | undefined)[] = [];
    const { store } = open(remote, { capBytes: 3 * MiB, roomWaitMs: 2000, onProblem: (p) => problems.push(p?.level) });
    remote.down = true;
    const blocks = Array.from({ length: 3 }, () => randomBytes(MiB));
    for (const [i, b] of blocks.entries()) await store.put(`f/0/${i}`, b);
    const err = await store.put('f/0/3', randomBytes(MiB)).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('NO_SPACE');
    expect(problems).toContain('critical');
    expect(store.offloadStats().pendingBlocks).toBe(3);
    remote.down = false;
    await store.drain();
    expect(store.offloadStats().pendingBlocks).toBe(0);
    expect(problems.at(-1)).toBeUndefined();
    await store.put('f/0/3', randomBytes(MiB));
    await store.close();
  }, 30_000);

  it('resumes the uploads a closed (or killed) store left pending', async () => {
    const remote = new FlakyRemote();
    const first = open(remote);
    remote.down = true;
    const data = randomBytes(MiB);
    await first.store.put('f/0/0', data);
    await first.store.sync();
    await first.store.close();
    expect(await keys(remote)).toEqual([]);
    remote.down = false;
    const again = open(remote, {}, first.dir).store;
    expect(again.offloadStats().pendingBlocks).toBe(1);
    await again.drain();
    expect(await keys(remote, 'cas/')).toHaveLength(1);
    expect((await again.get('f/0/0'))?.equals(data)).toBe(true);
    await again.close();
  });

  it('collects the blocks no key references after the grace period, never a live one', async () => {
    const remote = new MemoryBlockStore();
    const { store } = open(remote);
    await store.put('dead/0/0', randomBytes(MiB));
    await store.put('live/0/0', randomBytes(MiB));
    await store.drain();
    await store.deletePrefix('dead/');
    expect((await store.gc(60_000)).blocks).toBe(0); // still in its grace period
    const report = await store.gc(0);
    expect(report).toMatchObject({ blocks: 1, bytes: MiB });
    expect(await keys(remote, 'cas/')).toHaveLength(1);
    expect(await store.get('live/0/0')).toBeDefined();
    expect(store.offloadStats().lastGc?.blocks).toBe(1);
    await store.close();
  });

  it('fails a read of remote-only data with IO within its timeout instead of hanging', async () => {
    const remote = new FlakyRemote();
    const { store } = open(remote, { readTimeoutMs: 500 });
    await store.put('f/0/0', randomBytes(MiB));
    await store.drain();
    await store.evictAll();
    remote.hang = true;
    const started = Date.now();
    const err = await store.get('f/0/0').catch((e: unknown) => e);
    expect(codeOf(err)).toBe('IO');
    expect(Date.now() - started).toBeLessThan(3000);
    remote.hang = false;
    await store.close();
  });
});
