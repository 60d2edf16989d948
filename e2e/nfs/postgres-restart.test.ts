// PostgreSQL going away under a copy (issue 16, connection handling). The share's metadata
// lives on a PostgreSQL server of the test's own (e2e/helpers/postgres-cluster.ts), which is
// stopped during an nfs-cp into the share and started again. While it is down: NFS requests
// that need the metadata fail with NFS3ERR_JUKEBOX ("retry later"; RETRY_LATER in
// src/shared/errors.ts), /health/ready answers 503 naming the store, and an alert is up.
// After: the copy either completed byte-identical or failed (whatever it left holds only
// the source's bytes or never-written zeros), the same dfs process serves copies again
// without a restart, and the alert resolves. Twice: into /pg (its blocks in the default
// filesystem store) and into /cluster, a share several instances can serve (its blocks in
// a shared S3 store on s3rver, whose block index is on the same PostgreSQL).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { S3rver } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';
import { LIBNFS_UTILS, POSTGRESQL_SERVER_BINARIES, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from './target.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const BLOCK = 4096;

interface Ready {
  code: number;
  body: { status: string; checks?: Record<string, string> };
}

describe.skipIf(unmet(LIBNFS_UTILS, POSTGRESQL_SERVER_BINARIES) !== null)(
  'PostgreSQL stopped and started during a copy (nfs-cp)',
  () => {
    let cluster: PostgresCluster;
    let dfs: DfsProcess;
    let api: ApiClient;
    const tmp = makeTmpDir('dittofs-pgrestart-');
    let s3: S3rver;
    const url = (share: string, file: string): string =>
      `nfs://127.0.0.1${share}/${file}?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`;
    const context = (out: string): string => `${out}\n--- dfs log (tail) ---\n${tail(dfs.logs(), 3000)}`;
    const ready = async (): Promise<Ready> => {
      const res = await fetch(`http://127.0.0.1:${dfs.apiPort as number}/health/ready`);
      return { code: res.status, body: (await res.json()) as Ready['body'] };
    };
    const waitFor = async <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    beforeAll(async () => {
      cluster = await startPostgresCluster();
      const admin = new pg.Client({ connectionString: `${cluster.serverUrl}/postgres` });
      await admin.connect();
      await admin.query('CREATE DATABASE dittofs');
      await admin.end();
      dfs = await startDfs({ env: { DITTOFS_HEALTH_DATABASE_CHECK_MS: '300' } });
      api = await adminClient(dfs);
      await api.call('stores.metadata.create', {
        body: { name: 'pg', type: 'postgres', config: { url: `${cluster.serverUrl}/dittofs`, connectTimeoutMs: 2000 } },
      });
      await api.call('shares.create', {
        body: { name: '/pg', metadataStore: 'pg', payloadStore: 'default-payload', squash: 'none' },
      });
      s3 = await S3rver.start();
      const bucket = await s3.bucket('restart');
      await api.call('stores.payload.create', {
        body: {
          name: 'cloud',
          type: 's3',
          config: { ...bucket, blockIndex: { url: `${cluster.serverUrl}/dittofs`, connectTimeoutMs: 2000 } },
        },
      });
      await api.call('shares.create', {
        body: { name: '/cluster', metadataStore: 'pg', payloadStore: 'cloud', squash: 'none' },
      });
    }, 180_000);

    afterAll(async () => {
      await dfs?.stop();
      await cluster?.destroy();
      await s3?.remove();
      removeTmpDir(tmp);
    });

    it.each(['/pg', '/cluster'])(
      '%s: fails requests with JUKEBOX while it is down, never corrupts, and serves again without a restart',
      async (share) => {
        const data = randomBytes(48 * 1024 * 1024);
        const src = path.join(tmp, 'src.bin');
        writeFileSync(src, data);
        const small = path.join(tmp, 'small.txt');
        writeFileSync(small, 'after the restart\n');
        const before = await ready();
        expect(before.code, JSON.stringify(before.body)).toBe(200);
        expect(before.body.checks?.['postgres.metadata:pg']).toBe('ok');
        expect(before.body.checks?.['postgres.blocks:cloud']).toBe('ok');

        // The copy runs while PostgreSQL stops under it.
        const copy = run('nfs-cp', [src, url(share, 'big.bin')], 300_000);
        await new Promise((r) => setTimeout(r, 300));
        await cluster.stop();

        const down = await ready();
        expect(down.code).toBe(503);
        expect(down.body.status).toBe('unavailable');
        expect(down.body.checks?.['postgres.metadata:pg']).toMatch(/PostgreSQL is unreachable|did not answer/);
        expect(down.body.checks?.['postgres.blocks:cloud']).toMatch(/PostgreSQL is unreachable|did not answer/);
        const alerts = await api.call('alerts.list', {});
        const alert = alerts.find((a) => a.cause === 'postgres.unreachable');
        expect(alert?.message).toMatch(/metadata store "pg"/);
        // A request that needs the metadata gets "retry later", not a hang or a crash.
        const refused = await run('nfs-cp', [small, url(share, 'while-down.txt')], 60_000);
        expect(refused.code, context(refused.output)).not.toBe(0);
        expect(refused.output, context(refused.output)).toMatch(/JUKEBOX/);
        const copied = await copy;

        await cluster.start();
        const up = await waitFor('ready again', async () => {
          const r = await ready();
          return r.code === 200 ? r : undefined;
        });
        expect(up.body.checks?.['postgres.metadata:pg']).toBe('ok');
        await waitFor('the alert to resolve', async () =>
          (await api.call('alerts.list', {})).some((a) => a.cause === 'postgres.unreachable') ? undefined : true,
        );

        // Whatever the interrupted copy left holds only the source's bytes (or zeros never written).
        const back = path.join(tmp, `back${share.replace('/', '-')}.bin`);
        const get = await run('nfs-cp', [url(share, 'big.bin'), back], 120_000);
        if (copied.code === 0) {
          expect(get.code, context(get.output)).toBe(0);
          expect(sha256(readFileSync(back))).toBe(sha256(data));
        } else if (get.code === 0 && existsSync(back)) {
          const got = readFileSync(back);
          expect(got.length).toBeLessThanOrEqual(data.length);
          for (let off = 0; off < got.length; off += BLOCK) {
            const block = got.subarray(off, off + BLOCK);
            if (block.equals(data.subarray(off, off + block.length))) continue;
            expect(
              block.every((b) => b === 0),
              `foreign bytes at offset ${off}`,
            ).toBe(true);
          }
        }

        // The same process, no restart: copies in and out work again.
        expect(dfs.pid).toBeGreaterThan(0);
        const again = await run('nfs-cp', [src, url(share, 'again.bin')], 300_000);
        expect(again.code, context(again.output)).toBe(0);
        const back2 = path.join(tmp, `back2${share.replace('/', '-')}.bin`);
        const get2 = await run('nfs-cp', [url(share, 'again.bin'), back2], 120_000);
        expect(get2.code, context(get2.output)).toBe(0);
        expect(statSync(back2).size).toBe(data.length);
        expect(sha256(readFileSync(back2))).toBe(sha256(data));
        const afterCopy = await run('nfs-cp', [small, url(share, 'after.txt')], 60_000);
        expect(afterCopy.code, context(afterCopy.output)).toBe(0);
      },
      600_000,
    );
  },
);
