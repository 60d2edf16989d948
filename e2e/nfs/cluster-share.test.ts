// One managed share served by two dfs instances (issue 16; docs/cluster.md): both on one
// PostgreSQL (control plane, metadata store, the S3 store's block index) and one s3rver
// bucket, each with its own data dir and ports. Real clients only: libnfs writes and
// COMMITs through A and nfs-cp reads through B; smbclient renames and writes through B
// and libnfs reads through A; a handle A issued works on B; an smbclient notify waiting on B
// reports a file created and removed at once through A; A killed with SIGKILL in the middle of writes loses
// nothing it acknowledged, as read through B at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/server/postgres/testing/database.ts';
import { S3rver } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { adminClient } from '../helpers/api.ts';
import { LOOPBACK_WITH_SMB, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { IMPACKET, LIBNFS_DEV, LIBNFS_UTILS, POSTGRESQL, SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { smbAdminArgs, smbPort } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { pattern, recordWriterOutput, verifyFiles, type FileModel } from './crash-model.ts';
import { buildLibnfsProgram, run, tail } from './target.ts';

const MiB = 1024 * 1024;
const SHARE = '/team';
const KILLS = 3;

describe.skipIf(unmet(LIBNFS_DEV, LIBNFS_UTILS, POSTGRESQL, SMBCLIENT, IMPACKET) !== null)(
  'one share served by two dfs instances (PostgreSQL + S3)',
  () => {
    let db: TestDatabase;
    let s3: S3rver;
    let a: DfsProcess | undefined;
    let b: DfsProcess | undefined;
    const dirA = makeTmpDir('dittofs-share2-a-');
    const dirB = makeTmpDir('dittofs-share2-b-');
    const work = makeTmpDir('dittofs-share2-work-');
    const adminPassword = `e2e-${randomBytes(12).toString('hex')}`;
    let commitWriter = '';
    let crashWriter = '';
    let nfsclient = '';

    const start = (dataDir: string): Promise<DfsProcess> =>
      startDfs({
        dataDir,
        env: {
          ...LOOPBACK_WITH_SMB,
          DITTOFS_CONTROLPLANE_DATABASE: db.url,
          DITTOFS_ADMIN_INITIAL_PASSWORD: adminPassword,
        },
      });
    const ports = (d: DfsProcess): string[] => ['--nfsport', String(d.nfsPort), '--mountport', String(d.mountPort)];
    const url = (d: DfsProcess, name: string): string =>
      `nfs://127.0.0.1${SHARE}/${name}?nfsport=${d.nfsPort}&mountport=${d.mountPort}&version=3`;
    const logs = (): string => `--- A ---\n${tail(a?.logs() ?? '', 3000)}\n--- B ---\n${tail(b?.logs() ?? '', 3000)}`;

    /** The file's bytes, read over NFS through `d` with nfs-cp. */
    async function readNfs(d: DfsProcess, name: string): Promise<Buffer> {
      const out = path.join(work, `read-${randomBytes(4).toString('hex')}`);
      const r = await run('nfs-cp', [url(d, name), out], 120_000);
      expect(r.code, `nfs-cp ${name}: ${r.output}\n${logs()}`).toBe(0);
      return readFileSync(out);
    }

    async function smb(d: DfsProcess, command: string): Promise<string> {
      const r = await run('smbclient', [...smbAdminArgs(d, SHARE.slice(1)), '-c', command], 120_000);
      expect(r.code, `smbclient ${command}: ${r.output}\n${logs()}`).toBe(0);
      return r.output;
    }

    beforeAll(async () => {
      commitWriter = buildLibnfsProgram('e2e/nfs/commit-writer.c', 'commit-writer');
      crashWriter = buildLibnfsProgram('e2e/nfs/crash-writer.c', 'crash-writer');
      nfsclient = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
      db = await createTestDatabase();
      s3 = await S3rver.start();
      const bucket = await s3.bucket('team');
      a = await start(dirA);
      const api = await adminClient(a);
      await api.call('stores.metadata.create', { body: { name: 'pg', type: 'postgres', config: { url: db.url } } });
      await api.call('stores.payload.create', {
        body: { name: 'cloud', type: 's3', config: { ...bucket, prefix: 'dfs/', blockIndex: { url: db.url } } },
      });
      await api.call('shares.create', {
        body: { name: SHARE, metadataStore: 'pg', payloadStore: 'cloud', squash: 'none', defaultAccess: 'write' },
      });
      // The second instance needs only its config: it finds the share in the shared control plane.
      b = await start(dirB);
    }, 180_000);

    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await s3?.remove();
      await db?.drop();
      for (const d of [dirA, dirB, work]) removeTmpDir(d);
      for (const p of [commitWriter, crashWriter, nfsclient]) if (p) removeTmpDir(path.dirname(p));
    });

    it('reads through B, byte for byte, what libnfs wrote and committed through A', async () => {
      const size = 9 * MiB + 4321; // two whole blocks and a partial one
      const w = await run(
        commitWriter,
        [...ports(a!), '--export', SHARE, '--name', 'a.bin', '--bytes', String(size), '--seed', '7'],
        120_000,
      );
      expect(w.code, `${w.output}\n${logs()}`).toBe(0);
      expect((await readNfs(b!, 'a.bin')).equals(pattern(7, size))).toBe(true);
    }, 180_000);

    it('accepts on B a file handle that A issued', async () => {
      const fh = await run(nfsclient, [...ports(a!), '--export', SHARE, '--suite', 'fh', '--path', 'a.bin'], 60_000);
      const hex = /^# fh ([0-9a-f]+)$/m.exec(fh.output)?.[1];
      expect(hex, fh.output).toBeDefined();
      for (const [d, status] of [
        [b!, 'NFS3_OK'],
        [a!, 'NFS3_OK'],
      ] as const) {
        const r = await run(
          nfsclient,
          [...ports(d), '--export', SHARE, '--suite', 'getattr', '--fh', hex!, '--expect-status', status],
          60_000,
        );
        expect(r.code, r.output).toBe(0);
      }
    });

    it('shows through A a rename made over SMB through B', async () => {
      await smb(b!, 'rename a.bin renamed.bin');
      const ls = await run('nfs-ls', [url(a!, '').replace(`${SHARE}/?`, `${SHARE}?`)], 60_000);
      expect(ls.code, ls.output).toBe(0);
      expect(ls.output).toContain('renamed.bin');
      expect(ls.output).not.toMatch(/\ba\.bin\b/);
      expect((await readNfs(a!, 'renamed.bin')).equals(pattern(7, 9 * MiB + 4321))).toBe(true);
    }, 120_000);

    it('reads over NFS through A what smbclient wrote through B, also over a file A had read', async () => {
      for (const [name, size] of [
        ['from-smb.bin', 6 * MiB + 17],
        ['from-smb.bin', 100_000], // A read it a moment ago: nothing of the old content may be served
      ] as const) {
        const data = randomBytes(size);
        const local = path.join(work, `put-${size}`);
        writeFileSync(local, data);
        await smb(b!, `put ${local} ${name}`);
        const got = await readNfs(a!, name);
        expect(got.length).toBe(size);
        expect(got.equals(data), `${name} as read through A`).toBe(true);
      }
    }, 180_000);

    it('refuses through B an SMB lock that conflicts with one held through A, until A unlocks', async () => {
      const local = path.join(work, 'to-lock');
      writeFileSync(local, randomBytes(4096));
      await smb(a!, `put ${local} locked.bin`);
      const { outcomes, context } = await impacketCases(
        a!,
        'cluster-lock.py',
        [String(smbPort(b!)), 'locked.bin'],
        SHARE.slice(1),
      );
      expect(outcomes, `${context}\n${logs()}`).toEqual({
        'first-instance-locks': 'ok',
        'second-instance-overlap': 'status:0xc0000055', // STATUS_LOCK_NOT_GRANTED
        'second-instance-disjoint': 'ok',
        'first-instance-unlocks': 'ok',
        'second-instance-after-unlock': 'ok',
      });
    }, 120_000);

    it('reports to an SMB CHANGE_NOTIFY waiting on B a file created and removed through A', async () => {
      await smb(a!, 'mkdir watched');
      // stdbuf: smbclient prints each change as it comes only with an unbuffered stdout.
      const watcher: ChildProcess = spawn(
        'stdbuf',
        ['-o0', 'smbclient', ...smbAdminArgs(b!, SHARE.slice(1)), '-c', 'notify watched'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let seen = '';
      for (const out of [watcher.stdout, watcher.stderr]) out?.on('data', (c: Buffer) => (seen += c.toString()));
      const saw = async (line: RegExp): Promise<boolean> => {
        const end = Date.now() + 10_000;
        while (!line.test(seen) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
        return line.test(seen);
      };
      try {
        await new Promise((r) => setTimeout(r, 1500)); // the notify request is waiting on B
        const local = path.join(work, 'notified');
        writeFileSync(local, 'through A\n');
        // Created and removed in one session, within B's 1 s listing poll (smb/notify.ts), which
        // sees nothing: only the changes A's feed sends B report them.
        await smb(a!, `put ${local} watched\\from-a.txt; del watched\\from-a.txt`);
        // FILE_ACTION_ADDED is 1, FILE_ACTION_REMOVED 2.
        expect(await saw(/^0001 from-a\.txt$/m), `smbclient notify on B:\n${seen}\n${logs()}`).toBe(true);
        expect(await saw(/^0002 from-a\.txt$/m), `smbclient notify on B:\n${seen}\n${logs()}`).toBe(true);
      } finally {
        watcher.kill('SIGKILL');
      }
    }, 120_000);

    it(`loses nothing A acknowledged when A is killed during writes (${KILLS} kills), as read through B`, async () => {
      const models = new Map<string, FileModel>();
      let acked = 0;
      for (let cycle = 1; cycle <= KILLS; cycle++) {
        const d = a!;
        const child = spawn(
          crashWriter,
          [...ports(d), '--export', SHARE, '--prefix', `k${cycle}`, '--seed', String(cycle * 7919)],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const done = new Promise<void>((resolve) => child.once('close', () => resolve()));
        await new Promise((r) => setTimeout(r, 1500 + Math.random() * 2500));
        d.kill('SIGKILL');
        await d.exited;
        child.kill('SIGKILL');
        await done;
        const { names } = recordWriterOutput(output, models);
        acked += names.length;
        // Through B at once, without waiting for A to come back.
        const failures = await verifyFiles(crashWriter, [...ports(b!), '--export', SHARE], work, models, [
          ...models.keys(),
        ]);
        expect(failures, `cycle ${cycle}\n${logs()}`).toEqual([]);
        a = await start(dirA);
      }
      expect(acked, 'the writer acknowledged nothing: the test proved nothing').toBeGreaterThan(KILLS);
      // And through the restarted A.
      const failures = await verifyFiles(crashWriter, [...ports(a!), '--export', SHARE], work, models, [
        ...models.keys(),
      ]);
      expect(failures, logs()).toEqual([]);
    }, 300_000);
  },
);
