// A share on SQLite metadata + an S3 store behind the offloader (s3rver in its own process,
// libnfs nfs-cp as the client): big copies in and out byte-identical, the local cache
// emptied and the file read back from S3, a restart, dedup (object count), GC of a deleted
// file's blocks and of an object the index does not know, an outage during a copy
// (completes into the cache, alert raised, backlog drains once S3 is back; S3-only reads
// fail with an I/O error in time), and a dfs killed with SIGKILL while blocks wait for upload (resumed after restart).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import type { OffloaderDto } from '../../src/shared/api/offloader.ts';
import { S3rver, type S3rverStoreConfig } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { apiBase, DFSCTL, run as runCtl } from '../api/helpers.ts';
import { adminClient } from '../helpers/api.ts';
import { LOOPBACK_WITH_SMB, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from './target.ts';

const MiB = 1024 * 1024;
/** The big copy (256 MiB; DITTOFS_E2E_OFFLOAD_MIB makes it smaller on a slow runner). */
const BIG_MIB = Number(process.env['DITTOFS_E2E_OFFLOAD_MIB'] ?? 256);
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const ENV = {
  ...LOOPBACK_WITH_SMB,
  // Fixed, so the API signs in again after a restart on the same data dir.
  DITTOFS_ADMIN_INITIAL_PASSWORD: `e2e-${randomBytes(12).toString('hex')}`,
  DITTOFS_CACHE_OFFLOAD_BYTES: String(128 * MiB),
  DITTOFS_CACHE_LOG_BYTES: String(128 * MiB),
};

describe.skipIf((unmet(LIBNFS_UTILS) ?? unmet(SMBCLIENT)) !== null)(
  'the offloader: a share on S3 with a local cache (s3rver, nfs-cp)',
  () => {
    let s3: S3rver;
    let bucket: S3rverStoreConfig;
    let dfs: DfsProcess;
    let api: ApiClient;
    const tmp = makeTmpDir('dittofs-offload-e2e-');
    const data = makeTmpDir('dittofs-offload-data-');
    const url = (file: string): string =>
      `nfs://127.0.0.1/cloud/${file}?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`;
    const context = (out: string): string => `${out}\n--- dfs log (tail) ---\n${tail(dfs.logs(), 3000)}`;
    const objects = (): string[] =>
      readdirSync(path.join(s3.dir, 'nas-blocks'), { recursive: true })
        .map(String)
        .filter((o) => o.startsWith('dfs/cas/') && o.endsWith('._S3rver_object'));
    const state = async (): Promise<OffloaderDto> =>
      (await api.call('offloader.list', {})).find((o) => o.store === 'cloud')!;
    const start = async (): Promise<void> => {
      dfs = await startDfs({ dataDir: data, env: ENV });
      api = await adminClient(dfs);
    };

    async function put(name: string, bytes: Buffer, timeoutMs = 300_000): Promise<void> {
      const src = path.join(tmp, name);
      writeFileSync(src, bytes);
      const r = await run('nfs-cp', [src, url(name)], timeoutMs);
      expect(r.code, context(r.output)).toBe(0);
    }

    let copies = 0;
    async function get(name: string, timeoutMs = 300_000): Promise<{ code: number; sha?: string; output: string }> {
      const dst = path.join(tmp, `${name}.${copies++}.back`);
      const r = await run('nfs-cp', [url(name), dst], timeoutMs);
      return r.code === 0 ? { code: 0, sha: sha256(readFileSync(dst)), output: r.output } : r;
    }

    /** The share over SMB as admin (NFS has no client here that deletes a file). */
    async function smb(commands: string): Promise<void> {
      const args = ['//127.0.0.1/cloud', '-p', String(dfs.smbPort), '-U', `admin%${dfs.adminPassword}`, '-c', commands];
      const r = await run('smbclient', args, 120_000, { cwd: tmp });
      expect(r.code, context(r.output)).toBe(0);
    }

    async function until(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!(await ok())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${tail(dfs.logs(), 2000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    const drain = (): Promise<OffloaderDto> => api.call('offloader.drain', { params: { store: 'cloud' } });
    const gc = () => api.call('offloader.gc', { params: { store: 'cloud' }, body: { graceSeconds: 0 } });
    const evict = () => api.call('offloader.evict', { params: { store: 'cloud' } });

    beforeAll(async () => {
      s3 = await S3rver.start();
      bucket = await s3.bucket('nas-blocks');
      await start();
      await api.call('stores.payload.create', {
        body: { name: 'cloud', type: 's3', config: { ...bucket, prefix: 'dfs/' } },
      });
      await api.call('shares.create', {
        body: { name: '/cloud', metadataStore: 'default-metadata', payloadStore: 'cloud', squash: 'none' },
      });
      await api.call('shares.setPermission', {
        params: { name: '/cloud', principalType: 'user', principal: 'admin' },
        body: { access: 'write' },
      });
    }, 120_000);

    afterAll(async () => {
      await dfs?.stop();
      await s3?.remove();
      removeTmpDir(tmp);
      removeTmpDir(data);
    });

    const big = randomBytes(BIG_MIB * MiB);

    it(`copies ${BIG_MIB} MiB in and out, then reads it back from S3 with the cache emptied, and after a restart`, async () => {
      await put('big.bin', big);
      expect((await get('big.bin')).sha).toBe(sha256(big));
      expect((await drain()).pendingBlocks).toBe(0);
      await evict();
      expect((await state()).cacheUsedBytes).toBe(0);
      const cold = await get('big.bin');
      expect(cold.sha, context(cold.output)).toBe(sha256(big));
      await dfs.stop();
      await start();
      await evict();
      expect((await get('big.bin')).sha).toBe(sha256(big));
    }, 600_000);

    it('stores the same 64 MiB once under two names (objects in the bucket)', async () => {
      const same = randomBytes(64 * MiB);
      await put('a.bin', same);
      await drain();
      await gc();
      const once = objects().length;
      await put('b.bin', same);
      await drain();
      await gc();
      expect(objects().length).toBe(once);
      expect((await state()).dedupSavedBytes).toBeGreaterThanOrEqual(64 * MiB);
    }, 300_000);

    it("removes a deleted file's blocks from the bucket in GC, never a live file's", async () => {
      const gone = randomBytes(16 * MiB);
      writeFileSync(path.join(tmp, 'gone.bin'), gone);
      // Its 4 blocks' objects, named by content hash.
      const goneHashes = [0, 1, 2, 3].map((i) => sha256(gone.subarray(i * 4 * MiB, (i + 1) * 4 * MiB)));
      const isGone = (o: string): boolean => goneHashes.some((h) => o.includes(h));
      await smb('put gone.bin gone.bin');
      await drain();
      await until('the 4 blocks to be uploaded', async () => objects().filter(isGone).length === 4);
      const live = objects().filter((o) => !isGone(o));
      await smb('del gone.bin');
      // The deletion runs in the background (release): collect until all 4 blocks are gone.
      await until('GC to free the 4 blocks', async () => {
        await gc();
        return objects().filter(isGone).length === 0;
      });
      // Every other file's objects stay.
      expect(objects()).toEqual(expect.arrayContaining(live));
      await evict();
      expect((await get('big.bin')).sha).toBe(sha256(big));
      // An object no file references and the index does not know (a crash between upload and
      // index update, a reset index) goes too, once unknown for the grace period.
      const stray = 'ab'.repeat(32);
      const client = new S3Client({ ...bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: `dfs/cas/${stray}`, Body: 'left over' }));
      } finally {
        client.destroy();
      }
      expect(objects().some((o) => o.includes(stray))).toBe(true);
      await gc();
      expect(objects().some((o) => o.includes(stray))).toBe(false);
      expect(objects()).toEqual(expect.arrayContaining(live));
    }, 300_000);

    it('completes a copy while S3 is down, alerts, drains once it is back; S3-only reads fail in time', async () => {
      const during = randomBytes(32 * MiB);
      await evict();
      await s3.stop();
      try {
        await put('during.bin', during);
        await until('the offloader alert', async () =>
          (await api.call('alerts.list', {})).some((a) => a.cause === 'offloader.cloud'),
        );
        expect((await state()).pendingBlocks).toBeGreaterThan(0);
        expect((await get('during.bin')).sha).toBe(sha256(during)); // local data keeps working
        const started = Date.now();
        const cold = await get('big.bin', 120_000);
        expect(cold.code).not.toBe(0);
        // An I/O error, not JUKEBOX (with which the client would retry for ever).
        if (dfs.metricsPort !== undefined) {
          const metrics = await (await fetch(`http://127.0.0.1:${dfs.metricsPort}/metrics`)).text();
          expect(metrics).toMatch(/dittofs_requests_total\{[^}]*status="IO"[^}]*\} [1-9]/);
          expect(metrics).toMatch(/dittofs_offloader_pending_blocks\{store="cloud"\} [1-9]/);
          expect(metrics).toMatch(/dittofs_offloader_failing\{store="cloud"\} 1/);
          expect(metrics).toMatch(/dittofs_cache_used_bytes\{store="cloud"\} [1-9]/);
        }
        expect(Date.now() - started).toBeLessThan(60_000);
      } finally {
        await s3.start();
      }
      await until('the backlog to drain', async () => (await state()).pendingBlocks === 0, 120_000);
      await until('the alert to resolve', async () =>
        (await api.call('alerts.list', {})).every((a) => a.cause !== 'offloader.cloud'),
      );
      await evict();
      expect((await get('during.bin')).sha).toBe(sha256(during));
    }, 300_000);

    it('resumes the uploads of a dfs killed with SIGKILL, restarted while S3 is still down', async () => {
      const pending = randomBytes(32 * MiB);
      await s3.stop();
      try {
        await put('killed.bin', pending);
        await until('blocks pending', async () => (await state()).pendingBlocks > 0);
        dfs.kill('SIGKILL');
        await dfs.exited;
        await start(); // S3 still down: the share serves its local cache
        expect((await get('killed.bin')).sha).toBe(sha256(pending));
      } finally {
        await s3.start();
      }
      await until('the resumed backlog to drain', async () => (await state()).pendingBlocks === 0, 120_000);
      await evict();
      expect((await get('killed.bin')).sha).toBe(sha256(pending));
    }, 300_000);

    it('dfsctl lists the offloader, drains it and runs GC', async () => {
      const env = { ...process.env, XDG_CONFIG_HOME: tmp, DFSCTL_CONFIG: undefined };
      const ctl = async (args: string[], input?: string): Promise<string> => {
        const r = await runCtl(process.execPath, [DFSCTL, '--server', apiBase(dfs), ...args], { env, input });
        expect(r.code, `dfsctl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
        return r.stdout;
      };
      await ctl(['login', '--username', 'admin', '--password-stdin'], dfs.adminPassword);
      expect(await ctl(['offloader', 'list'])).toMatch(/cloud/);
      expect(await ctl(['offloader', 'drain', 'cloud'])).toMatch(/0 blocks, 0\.0 MiB/);
      const report = JSON.parse(await ctl(['-o', 'json', 'offloader', 'gc', 'cloud', '--grace-seconds', '0'])) as {
        blocks: number;
      };
      expect(report.blocks).toBeGreaterThanOrEqual(0);
    });
  },
);
