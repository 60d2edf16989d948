// Server-side copy (MS-SMB2 FSCTL_SRV_REQUEST_RESUME_KEY + FSCTL_SRV_COPYCHUNK) with a real
// client we did not write: smbclient's `scopy` copies a 20 MiB file within a share, on the
// managed default share and on a folder share. The copy must be byte-identical read back over
// SMB and over NFS (libnfs), and must really happen in the server: the SMB READ and WRITE
// counters stay where they were while IOCTLs are answered. The source is also written over NFS
// first, so the copy crosses protocols both ways.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { adminFolderShare, smbAdminArgs, startSmbDfs } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const skip = unmet(SMBCLIENT) ?? unmet(LIBNFS_UTILS);
const SIZE = 20 * 1024 * 1024;

describe.skipIf(skip !== null)('SMB server-side copy (smbclient scopy)', () => {
  let work = '';
  let dfs: DfsProcess | undefined;
  let admin = { uid: 0, gid: 0 };
  const data = randomBytes(SIZE);

  const log = (what: string, out: string): string => `${what}\n${out}\n--- dfs log (tail) ---\n${tail(dfs!.logs())}`;
  const smbclient = (share: string, commands: string) =>
    run('smbclient', [...smbAdminArgs(dfs!, share), '-c', commands], 120_000, { cwd: work });
  const nfsUrl = (share: string, rel: string): string =>
    `nfs://127.0.0.1/${share}/${rel}?nfsport=${dfs!.nfsPort}&mountport=${dfs!.mountPort}&version=3&uid=${admin.uid}&gid=${admin.gid}`;

  /** SMB requests answered so far, by command, from the metrics endpoint. */
  async function smbRequests(): Promise<Map<string, number>> {
    const text = await (await fetch(`http://127.0.0.1:${dfs!.metricsPort}/metrics`)).text();
    const counts = new Map<string, number>();
    for (const m of text.matchAll(/^dittofs_requests_total\{protocol="smb",op="(\w+)",status="ok"\} (\d+)$/gm))
      counts.set(m[1]!, Number(m[2]));
    return counts;
  }

  beforeAll(async () => {
    work = makeTmpDir('dittofs-scopy-');
    writeFileSync(path.join(work, 'source.bin'), data);
    dfs = await startSmbDfs();
    const api = await adminClient(dfs);
    const me = await api.call('users.get', { params: { username: 'admin' } });
    admin = { uid: me.uid, gid: me.gid };
    await adminFolderShare(api, path.join(work, 'folder'));
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    if (work) removeTmpDir(work);
  });

  for (const share of ['export', 'folder']) {
    it(`on /${share}: a 20 MiB file written over NFS is copied in the server, identical over SMB and NFS`, async () => {
      const up = await run('nfs-cp', [path.join(work, 'source.bin'), nfsUrl(share, 'source.bin')], 60_000);
      expect(up.code, log('nfs-cp', up.output)).toBe(0);

      const before = await smbRequests();
      const copy = await smbclient(share, 'scopy source.bin copy.bin');
      expect(copy.code, log('smbclient scopy', copy.output)).toBe(0);
      expect(copy.output, log('smbclient scopy', copy.output)).not.toMatch(/NT_STATUS_/);
      const after = await smbRequests();
      expect(after.get('READ') ?? 0, 'no data crossed the network').toBe(before.get('READ') ?? 0);
      expect(after.get('WRITE') ?? 0, 'no data crossed the network').toBe(before.get('WRITE') ?? 0);
      // A resume key, then at least two copy-chunk requests (16 MiB at most each).
      expect((after.get('IOCTL') ?? 0) - (before.get('IOCTL') ?? 0)).toBeGreaterThanOrEqual(3);

      const get = await smbclient(share, `get copy.bin smb-${share}.bin; allinfo copy.bin`);
      expect(get.code, log('smbclient get', get.output)).toBe(0);
      expect(sha256(readFileSync(path.join(work, `smb-${share}.bin`)))).toBe(sha256(data));
      expect(get.output).toMatch(new RegExp(`stream: \\[::\\$DATA\\], ${SIZE} bytes`));

      const cp = await run('nfs-cp', [nfsUrl(share, 'copy.bin'), path.join(work, `nfs-${share}.bin`)], 60_000);
      expect(cp.code, log('nfs-cp', cp.output)).toBe(0);
      expect(sha256(readFileSync(path.join(work, `nfs-${share}.bin`)))).toBe(sha256(data));
    });
  }
});
