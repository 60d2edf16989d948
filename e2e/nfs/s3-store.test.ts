// A share whose blocks live in an S3 bucket (s3rver, a real S3-compatible server in its own
// process), with libnfs clients: nfs-cp in and out byte-identical, the objects really in the
// bucket; the store's secret never shown by the API nor logged; while the endpoint is down a
// copy lands in the offloader's local cache, the other shares keep serving and /health/ready
// says the store's endpoint is unreachable; once it is back, copies work again and it is
// ready. (The offloader itself: offloader.test.ts.)
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { S3rver, type S3rverStoreConfig } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from './target.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const SECRET = `s3-secret-${randomBytes(8).toString('hex')}`;

describe.skipIf(unmet(LIBNFS_UTILS) !== null)('a share on an S3 store (s3rver, nfs-cp)', () => {
  let s3: S3rver;
  let bucket: S3rverStoreConfig;
  let dfs: DfsProcess;
  let api: ApiClient;
  const tmp = makeTmpDir('dittofs-s3-share-');
  const url = (share: string, file = ''): string =>
    `nfs://127.0.0.1${share}${file ? `/${file}` : ''}?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`;
  const context = (out: string): string => `${out}\n--- dfs log (tail) ---\n${tail(dfs.logs(), 3000)}`;
  const ready = async (): Promise<{ status: number; body: { checks: Record<string, string> } }> => {
    const res = await fetch(`http://127.0.0.1:${dfs.apiPort as number}/health/ready`);
    return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
  };

  beforeAll(async () => {
    s3 = await S3rver.start();
    bucket = await s3.bucket('nas-blocks');
    dfs = await startDfs();
    api = await adminClient(dfs);
    // s3rver accepts any secret for its key id; a distinctive one shows whether it leaks.
    await api.call('stores.payload.create', {
      body: { name: 'cloud', type: 's3', config: { ...bucket, secretAccessKey: SECRET, prefix: 'dfs/' } },
    });
    await api.call('shares.create', {
      body: { name: '/cloud', metadataStore: 'default-metadata', payloadStore: 'cloud', squash: 'none' },
    });
    await api.call('shares.update', { params: { name: '/export' }, body: { squash: 'none' } });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    await s3?.remove();
    removeTmpDir(tmp);
  });

  it('copies a file in and out byte-identical, its blocks in the bucket', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 123);
    const src = path.join(tmp, 'in.bin');
    const back = path.join(tmp, 'out.bin');
    writeFileSync(src, data);
    const put = await run('nfs-cp', [src, url('/cloud', 'in.bin')], 120_000);
    expect(put.code, context(put.output)).toBe(0);
    const get = await run('nfs-cp', [url('/cloud', 'in.bin'), back], 120_000);
    expect(get.code, context(get.output)).toBe(0);
    expect(sha256(readFileSync(back))).toBe(sha256(data));
    // s3rver keeps objects as files under <dir>/<bucket>/<key>: three 4 MiB blocks under dfs/cas/,
    // once uploaded (and any partial block the copy left behind collected).
    await api.call('offloader.drain', { params: { store: 'cloud' } });
    await api.call('offloader.gc', { params: { store: 'cloud' }, body: { graceSeconds: 0 } });
    const objects = readdirSync(path.join(s3.dir, 'nas-blocks'), { recursive: true }).map(String);
    expect(objects.filter((o) => o.startsWith('dfs/cas/') && o.endsWith('._S3rver_object')).length).toBe(3);
  });

  it('never shows or logs the secret key', async () => {
    const store = await api.call('stores.payload.get', { params: { name: 'cloud' } });
    expect(store.config['secretAccessKey']).toBe('********');
    expect(JSON.stringify(store)).not.toContain(SECRET);
    expect(dfs.logs()).not.toContain(SECRET);
  });

  it('takes a copy into the local cache while the endpoint is down, keeps serving other shares, and recovers', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const src = path.join(tmp, 'during.bin');
    writeFileSync(src, data);
    await s3.stop();
    try {
      const put = await run('nfs-cp', [src, url('/cloud', 'during.bin')], 120_000);
      expect(put.code, context(put.output)).toBe(0);
      const other = await run('nfs-ls', [url('/export')], 30_000);
      expect(other.code, context(other.output)).toBe(0);
      expect(dfs.logs()).not.toMatch(/"level":(50|60)/); // no error or fatal: an outage is not a fault
      // Not ready while the store's endpoint is away, and the check says which and why.
      const down = await ready();
      expect(down.status).toBe(503);
      expect(down.body.checks['s3.cloud']).toMatch(/unreachable|ECONNREFUSED/);
    } finally {
      await s3.start();
    }
    // Once the endpoint answers again (the circuit lets a probe through), copies work.
    let put = { code: -1, output: '' };
    for (let i = 0; i < 40 && put.code !== 0; i++) {
      put = await run('nfs-cp', [src, url('/cloud', 'after.bin')], 60_000);
      if (put.code !== 0) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(put.code, context(put.output)).toBe(0);
    const up = await ready();
    expect(up.status).toBe(200);
    expect(up.body.checks['s3.cloud']).toBe('ok');
    const back = path.join(tmp, 'after-back.bin');
    const get = await run('nfs-cp', [url('/cloud', 'after.bin'), back], 60_000);
    expect(get.code, context(get.output)).toBe(0);
    expect(sha256(readFileSync(back))).toBe(sha256(data));
  }, 120_000);
});
