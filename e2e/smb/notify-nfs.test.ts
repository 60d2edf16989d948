// CHANGE_NOTIFY across protocols: smbclient watches a directory (`notify`, what Explorer and
// Finder do to refresh a view) while a file is created in it over NFS (libnfs), then removed
// by another SMB client; both changes reach the watcher.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { smbAdminArgs, startSmbDfs } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

const skip = unmet(SMBCLIENT) ?? unmet(LIBNFS_UTILS);

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe.skipIf(skip !== null)('SMB CHANGE_NOTIFY of changes made over NFS and SMB', () => {
  let dfs: DfsProcess | undefined;
  let work = '';
  let watcher: ChildProcess | undefined;

  beforeAll(async () => {
    work = makeTmpDir('dittofs-smb-notify-');
    dfs = await startSmbDfs();
  }, 120_000);

  afterAll(async () => {
    watcher?.kill('SIGKILL');
    await dfs?.stop();
    removeTmpDir(work);
  });

  it('reports a file created over NFS, then removed over SMB, to a waiting smbclient notify', async () => {
    const d = dfs!;
    const api = await adminClient(d);
    const me = await api.call('users.get', { params: { username: 'admin' } });
    const mk = await run('smbclient', [...smbAdminArgs(d), '-c', 'mkdir watched'], 60_000);
    expect(mk.code, mk.output).toBe(0);
    // stdbuf: smbclient prints each change as it comes only with an unbuffered stdout.
    watcher = spawn('stdbuf', ['-o0', 'smbclient', ...smbAdminArgs(d), '-c', 'notify watched'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    watcher.stdout?.on('data', (b: Buffer) => (seen += b.toString()));
    watcher.stderr?.on('data', (b: Buffer) => (seen += b.toString()));
    await new Promise((r) => setTimeout(r, 1500)); // the notify request is waiting
    const url = `nfs://127.0.0.1/export/watched/from-nfs.txt?nfsport=${d.nfsPort}&mountport=${d.mountPort}&version=3&uid=${me.uid}&gid=${me.gid}`;
    const local = path.join(work, 'f.txt');
    writeFileSync(local, 'over NFS\n');
    const cp = await run('nfs-cp', [local, url], 60_000);
    expect(cp.code, cp.output).toBe(0);
    const context = (): string => `smbclient notify:\n${seen}\n--- dfs log (tail) ---\n${tail(d.logs())}`;
    // FILE_ACTION_ADDED is 1.
    expect(await until(() => /^0001 from-nfs\.txt$/m.test(seen), 10_000), context()).toBe(true);
    // Removed by the second SMB client's own connection: reported to the watcher too.
    const del = await run('smbclient', [...smbAdminArgs(d), '-c', 'del watched\\from-nfs.txt'], 60_000);
    expect(del.code, del.output).toBe(0);
    // FILE_ACTION_REMOVED is 2.
    expect(await until(() => /^0002 from-nfs\.txt$/m.test(seen), 10_000), context()).toBe(true);
  }, 120_000);
});
