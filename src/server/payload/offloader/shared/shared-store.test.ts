// Two instances' views of one shared S3 store (real s3rver, real PostgreSQL index): what
// one writes the other reads, a replaced block is never served stale from a local cache,
// and garbage collection never deletes a content another instance is writing.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRESQL, unmet } from '../../../../../e2e/helpers/requirements.ts';
import { S3BlockStore } from '../../stores/s3/s3-store.ts';
import { remoteKey } from '../garbage.ts';
import { SharedBlockIndex } from './block-index.ts';
import type { SharedBlockStore } from './shared-store.ts';
import { SharedStoreBench, type SharedStoreLocation } from './testing.ts';

const MiB = 1024 * 1024;

describe.skipIf(unmet(POSTGRESQL) !== null)('shared S3 store: two instances, one index', () => {
  let bench: SharedStoreBench;
  let at: SharedStoreLocation;
  let a: SharedBlockStore;
  let b: SharedBlockStore;
  let objects: S3BlockStore;

  beforeAll(async () => {
    bench = await SharedStoreBench.start();
  }, 60_000);
  afterAll(() => bench?.stop());

  const open = async (): Promise<void> => {
    at = bench.newLocation();
    [a, b] = [await bench.open(at), await bench.open(at)];
    objects = await S3BlockStore.open({ ...bench.bucket, prefix: at.prefix });
  };
  afterEach(async () => {
    await Promise.allSettled([a?.close(), b?.close(), objects?.close()]);
  });

  it('reads through one instance what the other put, byte for byte', async () => {
    await open();
    const data = randomBytes(4 * MiB);
    await a.put('f1/0', data);
    expect((await b.get('f1/0'))?.equals(data)).toBe(true);
    expect((await b.get('f1/0', 1000, 5000))?.equals(data.subarray(1000, 6000))).toBe(true);
    expect(await collect(b.list('f1/'))).toEqual(['f1/0']);
    expect(await b.stats()).toEqual({ blocks: 1, bytes: 4 * MiB });
  });

  it('serves the new content after the other instance replaced a block it had cached', async () => {
    await open();
    const before = randomBytes(100_000);
    const after = randomBytes(100_000);
    await b.put('f2/0', before);
    expect((await b.get('f2/0'))?.equals(before)).toBe(true); // cached on B
    await a.put('f2/0', after);
    expect((await b.get('f2/0'))?.equals(after)).toBe(true);
    await a.delete('f2/0');
    expect(await b.get('f2/0')).toBeUndefined();
  });

  it('stores a content once, and collects it only once no key of any instance holds it', async () => {
    await open();
    const data = randomBytes(50_000);
    const hash = sha256(data);
    await a.put('f3/0', data);
    await b.put('f4/0', data);
    expect(await objects.get(remoteKey(hash))).toBeDefined();
    await a.deletePrefix('f3/');
    expect((await a.gc(0)).blocks).toBe(0); // f4/0 on B still holds it
    expect((await a.get('f4/0'))?.equals(data)).toBe(true);
    await b.delete('f4/0');
    expect((await b.gc(60_000)).blocks).toBe(0); // within the grace period
    expect((await a.gc(0)).blocks).toBe(1);
    expect(await objects.get(remoteKey(hash))).toBeUndefined();
    expect(await b.stats()).toEqual({ blocks: 0, bytes: 0 });
  });

  it('re-uploads a content collected while another instance was writing it', async () => {
    await open();
    const data = randomBytes(20_000);
    const hash = sha256(data);
    await a.put('f5/0', data);
    await a.delete('f5/0');
    // B writes the same content while a collector holds the content's row, deleting it.
    const collector = await SharedBlockIndex.open({ url: bench.db.url }, at.schema);
    let writing: Promise<void> | undefined;
    const collected = await collector
      .collect(hash, 0, async () => {
        writing = b.put('f6/0', data);
        await new Promise((r) => setTimeout(r, 300)); // B's claim waits for this transaction
        await objects.delete(remoteKey(hash));
      })
      .finally(() => collector.close());
    expect(collected).toBe(true);
    await writing;
    expect(await objects.get(remoteKey(hash))).toBeDefined();
    await b.close();
    b = await bench.open(at); // an empty local cache: the bytes come from S3
    expect((await b.get('f6/0'))?.equals(data)).toBe(true);
  });

  it('fails a put while S3 is down, keeping the block as it was', async () => {
    await open();
    const before = randomBytes(10_000);
    await a.put('f7/0', before);
    await bench.s3.stop();
    try {
      const err = await a.put('f7/0', randomBytes(10_000)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
    } finally {
      await bench.s3.start();
    }
    expect((await b.get('f7/0'))?.equals(before)).toBe(true);
  }, 120_000);
});

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out.sort();
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
