// File handles cannot be forged: a client that knows a file's fileid (READDIR shows it) but
// never looked the file up cannot build its handle, a handle claiming another share than the
// file's is stale, and so is a handle of a share whose export rules no longer admit the
// client, whichever share it mounted. Handles obtained before a restart keep working.
// The C client (e2e/nfs/libnfs-client.c) fetches handles and sends GETATTR with the forged
// ones; the forging follows dfs's own handle layout, so this runs against dfs only.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHandle, parseHandle } from '../../src/server/metadata/handles.ts';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_DEV, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram, failLines, run, serverKind, tail } from './target.ts';

describe.skipIf(serverKind() !== 'dfs' || unmet(LIBNFS_DEV) !== null)(
  'NFSv3 file handles of dfs cannot be forged',
  () => {
    let dataDir = '';
    let client = '';
    let dfs: DfsProcess | undefined;
    let api: ApiClient;

    /** Runs one suite of the C client; returns its output after checking it reported no failure. */
    async function nfsclient(exportPath: string, suite: string, ...extra: string[]): Promise<string> {
      const d = dfs!;
      const args = ['--nfsport', String(d.nfsPort), '--mountport', String(d.mountPort), '--export', exportPath];
      const { code, output } = await run(client, [...args, '--suite', suite, ...extra], 60_000);
      const context = `nfsclient ${suite} ${extra.join(' ')}:\n${output}\n--- dfs log (tail) ---\n${tail(d.logs())}`;
      expect(failLines(output), context).toEqual([]);
      expect(code, context).toBe(0);
      return output;
    }

    /** The handle of `rel` in the share (LOOKUP from its root) and the fileid GETATTR reports. */
    async function handleOf(exportPath: string, rel: string): Promise<{ fh: Buffer; fileid: number }> {
      const out = await nfsclient(exportPath, 'fh', '--path', rel);
      const fh = /^# fh ([0-9a-f]+)$/m.exec(out)?.[1];
      const fileid = /^# fileid (\d+)$/m.exec(out)?.[1];
      expect(fh && fileid, out).toBeTruthy();
      return { fh: Buffer.from(fh!, 'hex'), fileid: Number(fileid) };
    }

    /** GETATTR with `fh` after mounting `exportPath`, expecting nfsstat3 `status`. */
    const getattr = (exportPath: string, fh: Buffer, status: string) =>
      nfsclient(exportPath, 'getattr', '--fh', fh.toString('hex'), '--expect-status', status);

    const start = async (): Promise<void> => {
      dfs = await startDfs({ dataDir, env: { DITTOFS_ADMIN_INITIAL_PASSWORD: 'e2e-handles-admin' } });
      api = await adminClient(dfs);
    };

    beforeAll(async () => {
      client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
      dataDir = makeTmpDir('dittofs-e2e-handles-');
      await start();
      const exp = await api.call('shares.update', { params: { name: '/export' }, body: { squash: 'none' } });
      const stores = { metadataStore: exp.metadataStore, payloadStore: exp.payloadStore };
      await api.call('shares.create', { body: { name: '/other', ...stores, squash: 'none' } });
      await nfsclient('/export', 'prepare', '--prepare-file', 'mine.txt');
      await nfsclient('/other', 'prepare', '--prepare-file', 'secret.txt');
    }, 180_000);

    afterAll(async () => {
      await dfs?.stop();
      if (dataDir) removeTmpDir(dataDir);
      if (client) removeTmpDir(path.dirname(client));
    });

    it('refuses a handle built from a guessed fileid or carrying a wrong generation (NFS3ERR_STALE)', async () => {
      const root = parseHandle((await handleOf('/other', '')).fh);
      const secret = await handleOf('/other', 'secret.txt');
      await getattr('/other', secret.fh, 'NFS3_OK');
      const guessed = encodeHandle(root.shareId, root.epoch, secret.fileid, root.generation);
      await getattr('/other', guessed, 'NFS3ERR_STALE');
      const s = parseHandle(secret.fh);
      const wrongGeneration = encodeHandle(s.shareId, s.epoch, s.fileid, s.generation - 1 || 2);
      await getattr('/other', wrongGeneration, 'NFS3ERR_STALE');
    }, 120_000);

    it('refuses a handle claiming another share, and one of a share the client may no longer use', async () => {
      const exportRoot = parseHandle((await handleOf('/export', '')).fh);
      const secret = await handleOf('/other', 'secret.txt');
      const s = parseHandle(secret.fh);
      const crossed = encodeHandle(exportRoot.shareId, s.epoch, s.fileid, s.generation);
      await getattr('/export', crossed, 'NFS3ERR_STALE');

      // RFC 1813 §2.6: NFS3ERR_STALE also means "access to it has been revoked" (knfsd answers
      // so for an export that no longer admits the client), whichever export the client mounted.
      const only = (allowedNetworks: string[]) =>
        api.call('shares.update', { params: { name: '/other' }, body: { allowedNetworks } });
      await only(['127.0.0.2/32']);
      try {
        await getattr('/export', secret.fh, 'NFS3ERR_STALE');
      } finally {
        await only([]);
      }
      await getattr('/export', secret.fh, 'NFS3_OK');
    }, 120_000);

    it('keeps handles obtained before a restart working, and forged ones stale', async () => {
      const root = await handleOf('/other', '');
      const secret = await handleOf('/other', 'secret.txt');
      const mine = await handleOf('/export', 'mine.txt');
      expect(await dfs!.stop(), tail(dfs!.logs())).toBe(0);
      await start();
      await getattr('/other', root.fh, 'NFS3_OK');
      await getattr('/other', secret.fh, 'NFS3_OK');
      await getattr('/export', mine.fh, 'NFS3_OK');
      const r = parseHandle(root.fh);
      await getattr('/other', encodeHandle(r.shareId, r.epoch, secret.fileid, r.generation), 'NFS3ERR_STALE');
      expect((await handleOf('/other', 'secret.txt')).fh.equals(secret.fh)).toBe(true);
    }, 180_000);
  },
);
