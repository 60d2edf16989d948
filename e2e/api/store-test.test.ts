// "Test connection" of S3 store options (stores.payload.test, dfsctl store payload test)
// against s3rver, a real S3-compatible server in its own process: good options pass every
// stage and leave no probe object behind; a missing bucket fails at the bucket, an unknown
// access key at sign-in, a closed port at connect and a silent endpoint within the deadline;
// a saved store's hidden secret (********) is used when the store is named, never shown.
// s3rver does not check SigV4 signatures, so a wrong *secret* cannot fail there: only a
// wrong access key can (see docs/s3-stores.md).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient } from '../../src/shared/api/client.ts';
import { S3rver, type S3rverStoreConfig } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { adminDfsctl, verdicts } from './helpers.ts';

const SECRET = `s3-secret-${randomBytes(8).toString('hex')}`;

describe('API: testing S3 store options (s3rver)', () => {
  let s3: S3rver;
  let bucket: S3rverStoreConfig;
  let dfs: DfsProcess;
  let api: ApiClient;
  let silent: net.Server;
  const held: net.Socket[] = [];
  const home = makeTmpDir('dittofs-store-test-');
  const test = (config: Record<string, unknown>, name?: string) =>
    api.call('stores.payload.test', { body: { type: 's3', config, ...(name ? { name } : {}) } });

  beforeAll(async () => {
    s3 = await S3rver.start();
    bucket = await s3.bucket('probe-me');
    dfs = await startDfs();
    api = await adminClient(dfs);
    // Accepts connections and never answers: what a hung endpoint looks like.
    silent = net.createServer((sock) => held.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  }, 120_000);

  afterAll(async () => {
    for (const s of held) s.destroy();
    silent?.close();
    await dfs?.stop();
    await s3?.remove();
    removeTmpDir(home);
  });

  it('passes every stage with good options and leaves no probe object behind', async () => {
    const r = await test({ ...bucket, prefix: 'nas/' });
    expect(verdicts(r)).toBe('connect:ok auth:ok bucket:ok write:ok read:ok delete:ok');
    expect(r.ok).toBe(true);
    expect(r.stages.find((s) => s.stage === 'read')?.message).toMatch(/unchanged/);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: bucket.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: bucket.accessKeyId, secretAccessKey: bucket.secretAccessKey },
    });
    try {
      const left = await client.send(new ListObjectsV2Command({ Bucket: bucket.bucket }));
      expect(left.KeyCount ?? 0).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it('fails at the bucket when the bucket does not exist', async () => {
    const r = await test({ ...bucket, bucket: 'no-such-bucket' });
    expect(verdicts(r)).toBe('connect:ok auth:ok bucket:failed write:skipped read:skipped delete:skipped');
    expect(r.ok).toBe(false);
    expect(r.stages[2]?.message).toBe(`There is no bucket no-such-bucket at ${bucket.endpoint}/no-such-bucket.`);
  });

  it('fails at sign-in with an access key the endpoint does not know', async () => {
    const r = await test({ ...bucket, accessKeyId: 'NOT-A-KEY' });
    expect(verdicts(r)).toBe('connect:ok auth:failed bucket:skipped write:skipped read:skipped delete:skipped');
    expect(r.stages[1]?.message).toBe('The endpoint does not know this access key.');
  });

  it('fails at connect, at once, when nothing listens on the endpoint', async () => {
    await s3.stop();
    try {
      const t0 = Date.now();
      const r = await test({ ...bucket });
      expect(Date.now() - t0).toBeLessThan(8_000);
      expect(verdicts(r)).toBe('connect:failed auth:skipped bucket:skipped write:skipped read:skipped delete:skipped');
      expect(r.stages[0]?.message).toMatch(/^Cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    } finally {
      await s3.start();
    }
  });

  it('answers within the deadline when the endpoint accepts connections but never answers', async () => {
    const port = (silent.address() as net.AddressInfo).port;
    const t0 = Date.now();
    const r = await test({ ...bucket, endpoint: `http://127.0.0.1:${port}` });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(7_500);
    expect(took).toBeLessThan(10_000);
    expect(verdicts(r)).toBe('connect:ok auth:failed bucket:skipped write:skipped read:skipped delete:skipped');
    expect(r.stages[1]?.message).toBe("No answer within 8 s (the test's limit).");
  }, 20_000);

  it("uses a saved store's secret for ********, and never shows or logs it", async () => {
    await api.call('stores.payload.create', {
      body: { name: 'saved', type: 's3', config: { ...bucket, secretAccessKey: SECRET } },
    });
    const saved = await api.call('stores.payload.get', { params: { name: 'saved' } });
    expect(saved.config['secretAccessKey']).toBe('********');
    const r = await test(saved.config, 'saved');
    expect(r.ok, verdicts(r)).toBe(true);
    // Without the store's name the placeholder stands for nothing: refused in words.
    const refused = await test(saved.config).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(400);
    expect((refused as ApiError).message).toMatch(/A secret is hidden/);
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(dfs.logs()).not.toContain(SECRET);
  });

  it('dfsctl store payload test prints each stage and exits 1 when one failed', async () => {
    const ctl = await adminDfsctl(dfs, home);
    const good = await ctl(['store', 'payload', 'test', 'saved']);
    expect(good.code, good.stderr).toBe(0);
    for (const stage of ['connect', 'auth', 'bucket', 'write', 'read', 'delete']) {
      expect(good.stdout).toMatch(new RegExp(`${stage}\\s+ok`));
    }
    const bad = await ctl([
      'store',
      'payload',
      'test',
      '--config',
      `endpoint=${bucket.endpoint}`,
      '--config',
      'bucket=nope-nope',
      '--config',
      `accessKeyId=${bucket.accessKeyId}`,
      '--config',
      `secretAccessKey=${bucket.secretAccessKey}`,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/bucket\s+failed\s+There is no bucket nope-nope/);
  });
});
