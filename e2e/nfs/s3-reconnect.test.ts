// An S3 store's connection changed while a share uses it (keys rotated, the endpoint moved),
// as a NAS user edits a saved store: s3rver moves to another port with the bucket, the
// store's endpoint is edited through the API (the secret sent back hidden, as the form
// does), and the share keeps serving: a file read back cold from the bucket through the new
// connection, a new file uploaded to it. A bucket change in use, or options that do not
// reach the bucket, are refused in words and change nothing. Client: libnfs nfs-cp.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/shared/api/schemas.ts';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { S3rver, type S3rverStoreConfig } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { apiBase, DFSCTL, run as runCtl } from '../api/helpers.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from './target.ts';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(unmet(LIBNFS_UTILS) !== null)("an S3 store's connection edited while in use (s3rver, nfs-cp)", () => {
  let s3: S3rver;
  let bucket: S3rverStoreConfig;
  let dfs: DfsProcess;
  let api: ApiClient;
  const tmp = makeTmpDir('dittofs-s3-reconnect-');
  const url = (file: string): string =>
    `nfs://127.0.0.1/cloud/${file}?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`;
  const saved = async () => (await api.call('stores.payload.get', { params: { name: 'cloud' } })).config;
  const update = (config: Record<string, unknown>) =>
    api.call('stores.payload.update', { params: { name: 'cloud' }, body: { config } });

  async function put(name: string, bytes: Buffer): Promise<void> {
    writeFileSync(path.join(tmp, name), bytes);
    const r = await run('nfs-cp', [path.join(tmp, name), url(name)], 120_000);
    expect(r.code, `${r.output}\n${tail(dfs.logs(), 2000)}`).toBe(0);
  }
  let copies = 0;
  async function get(name: string): Promise<string> {
    const dst = path.join(tmp, `${name}.${copies++}.back`);
    const r = await run('nfs-cp', [url(name), dst], 120_000);
    expect(r.code, `${r.output}\n${tail(dfs.logs(), 2000)}`).toBe(0);
    return sha256(readFileSync(dst));
  }

  beforeAll(async () => {
    s3 = await S3rver.start();
    bucket = await s3.bucket('moving-bucket');
    dfs = await startDfs();
    api = await adminClient(dfs);
    await api.call('stores.payload.create', {
      body: { name: 'cloud', type: 's3', config: { ...bucket, prefix: 'nas/' } },
    });
    await api.call('shares.create', {
      body: { name: '/cloud', metadataStore: 'default-metadata', payloadStore: 'cloud', squash: 'none' },
    });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    await s3?.remove();
    removeTmpDir(tmp);
  });

  it('refuses a new bucket or prefix while a share uses the store, and options that do not reach the bucket', async () => {
    await expect(update({ ...bucket, bucket: 'another-bucket', prefix: 'nas/' })).rejects.toMatchObject({
      status: 409,
      code: 'IN_USE',
      message: expect.stringMatching(/used by \/cloud: its bucket, key prefix and block index hold their files/),
    });
    await expect(update({ ...bucket, prefix: 'elsewhere/' })).rejects.toMatchObject({ status: 409 });
    // Nor can its block index move to a database (docs/cluster.md): the blocks it knows would be lost.
    await expect(
      update({ ...bucket, prefix: 'nas/', blockIndex: { url: 'postgres://dittofs@127.0.0.1:5432/x' } }),
    ).rejects.toMatchObject({ status: 409, code: 'IN_USE' });
    // Nothing listens on the discard port of loopback: refused, nothing saved.
    await expect(
      update({ ...bucket, prefix: 'nas/', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
    ).rejects.toThrow();
    expect(await saved()).toMatchObject({ endpoint: bucket.endpoint, secretAccessKey: REDACTED });
  });

  it('serves and uploads through the new endpoint once it is edited, with the secret kept', async () => {
    const before = randomBytes(8 * MiB + 77);
    await put('before.bin', before);
    expect((await api.call('offloader.drain', { params: { store: 'cloud' } })).pendingBlocks).toBe(0);

    await s3.move();
    expect(s3.endpoint).not.toBe(bucket.endpoint);
    // As the edit form sends it: every option, the secret still hidden.
    const edited = await update({ ...(await saved()), endpoint: s3.endpoint });
    expect(edited.config).toMatchObject({ endpoint: s3.endpoint, bucket: bucket.bucket, secretAccessKey: REDACTED });
    expect(edited.usedBy).toEqual(['/cloud']);

    // Cold: the local cache emptied, the bytes come from the bucket over the new connection.
    await api.call('offloader.evict', { params: { store: 'cloud' } });
    // (All but the file's last, partial block, which may still wait in the local write log.)
    const cached = (await api.call('offloader.list', {})).find((o) => o.store === 'cloud')?.cacheUsedBytes;
    expect(cached).toBeLessThan(4 * MiB);
    expect(await get('before.bin')).toBe(sha256(before));

    const after = randomBytes(4 * MiB);
    await put('after.bin', after);
    const drained = await api.call('offloader.drain', { params: { store: 'cloud' } });
    expect(drained).toMatchObject({ pendingBlocks: 0 });
    await api.call('offloader.evict', { params: { store: 'cloud' } });
    expect(await get('after.bin')).toBe(sha256(after));
  }, 300_000);

  it('dfsctl changes one option of the store in use and keeps the others', async () => {
    const env = { ...process.env, XDG_CONFIG_HOME: tmp, DFSCTL_CONFIG: undefined };
    const ctl = async (args: string[], input?: string): Promise<void> => {
      const r = await runCtl(process.execPath, [DFSCTL, '--server', apiBase(dfs), ...args], { env, input });
      expect(r.code, `dfsctl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    };
    await ctl(['login', '--username', 'admin', '--password-stdin'], dfs.adminPassword);
    await ctl(['store', 'payload', 'update', 'cloud', '--config', 'region=eu-central-1']);
    expect(await saved()).toMatchObject({
      region: 'eu-central-1',
      endpoint: s3.endpoint,
      prefix: 'nas/',
      secretAccessKey: REDACTED,
    });
    expect(await get('after.bin')).toBe(sha256(readFileSync(path.join(tmp, 'after.bin'))));
  });
});
