// A share with durability 'remote' on an S3 store (s3rver) behind the offloader, written by
// libnfs (commit-writer.c: UNSTABLE WRITEs, then COMMIT): once COMMIT replies, every block
// of the file is an object in the bucket (listed through the S3 API); with s3rver stopped,
// COMMIT fails with an NFS error within the configured timeout instead of acknowledging
// data that is only on this computer, and succeeds again once s3rver is back. A share on
// the same store with the default durability ('local') acknowledges COMMIT during the outage.
import { createHash } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { S3rver, type S3rverStoreConfig } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { pattern } from './crash-model.ts';
import { buildLibnfsProgram, run, tail } from './target.ts';

const MiB = 1024 * 1024;
const BLOCK = 4 * MiB;
const COMMIT_TIMEOUT_MS = 3000;

const blockHashes = (data: Buffer): string[] => {
  const out: string[] = [];
  for (let off = 0; off < data.length; off += BLOCK) {
    out.push(
      createHash('sha256')
        .update(data.subarray(off, off + BLOCK))
        .digest('hex'),
    );
  }
  return out;
};

describe.skipIf(unmet(LIBNFS_UTILS) !== null)('durability remote: COMMIT replies once the data is in S3', () => {
  let s3: S3rver;
  let bucket: S3rverStoreConfig;
  let dfs: DfsProcess;
  let api: ApiClient;
  let writer: string;

  beforeAll(async () => {
    writer = buildLibnfsProgram('e2e/nfs/commit-writer.c', 'commit-writer');
    s3 = await S3rver.start();
    bucket = await s3.bucket('durable');
    dfs = await startDfs({ env: { DITTOFS_CACHE_REMOTE_COMMIT_TIMEOUT_MS: String(COMMIT_TIMEOUT_MS) } });
    api = await adminClient(dfs);
    await api.call('stores.payload.create', {
      body: { name: 'cloud', type: 's3', config: { ...bucket, prefix: 'dfs/' } },
    });
    for (const [name, durability] of [
      ['/remote', 'remote'],
      ['/local', 'local'],
    ] as const) {
      await api.call('shares.create', {
        body: { name, metadataStore: 'default-metadata', payloadStore: 'cloud', squash: 'none', durability },
      });
    }
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    await s3?.remove();
  });

  const write = (share: string, name: string, bytes: number, seed: number) =>
    run(
      writer,
      [
        '--nfsport',
        String(dfs.nfsPort),
        '--mountport',
        String(dfs.mountPort),
        '--export',
        share,
        '--name',
        name,
        '--bytes',
        String(bytes),
        '--seed',
        String(seed),
      ],
      120_000,
    );

  async function objects(): Promise<Set<string>> {
    const client = new S3Client({ ...bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const keys = new Set<string>();
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket.bucket, Prefix: 'dfs/cas/', ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) keys.add(o.Key!.slice('dfs/cas/'.length));
        token = page.NextContinuationToken;
      } while (token !== undefined);
      return keys;
    } finally {
      client.destroy();
    }
  }

  const context = (output: string): string => `${output}\n--- dfs log (tail) ---\n${tail(dfs.logs(), 3000)}`;

  it('the shares report their durability', async () => {
    expect((await api.call('shares.get', { params: { name: '/remote' } })).durability).toBe('remote');
    expect((await api.call('shares.get', { params: { name: '/local' } })).durability).toBe('local');
  });

  it('has every block of the file in the bucket when COMMIT replies', async () => {
    const size = 10 * MiB + 12345; // two whole blocks and a partial one
    const r = await write('/remote', 'a.bin', size, 7);
    expect(r.code, context(r.output)).toBe(0);
    expect(r.output).toMatch(/^committed \d+/m);
    const stored = await objects();
    for (const hash of blockHashes(pattern(7, size))) expect(stored.has(hash), `block ${hash}`).toBe(true);
  }, 120_000);

  it('fails COMMIT with an NFS error within the timeout while S3 is down, and succeeds once it is back', async () => {
    await s3.stop();
    try {
      // The default durability acknowledges from the write log, outage or not.
      const local = await write('/local', 'b.bin', 5 * MiB, 8);
      expect(local.code, context(local.output)).toBe(0);

      const started = Date.now();
      const r = await write('/remote', 'c.bin', 5 * MiB, 9);
      expect(r.code, context(r.output)).toBe(1);
      expect(r.output, context(r.output)).toMatch(/^error commit -\d+/m);
      expect(Date.now() - started).toBeLessThan(COMMIT_TIMEOUT_MS + 20_000);
      const stored = await objects().catch(() => undefined);
      expect(stored).toBeUndefined(); // nothing answers: the endpoint is down
    } finally {
      await s3.start();
    }
    // Uploads resume after their backoff; a COMMIT retried by the client then succeeds.
    const deadline = Date.now() + 90_000;
    let last = '';
    for (;;) {
      const r = await write('/remote', 'c.bin', 5 * MiB, 9);
      if (r.code === 0) break;
      last = r.output;
      if (Date.now() > deadline) throw new Error(`COMMIT never succeeded after the outage: ${context(last)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const stored = await objects();
    for (const hash of blockHashes(pattern(9, 5 * MiB))) expect(stored.has(hash), `block ${hash}`).toBe(true);
  }, 180_000);
});
